package app

import (
	"context"
	"sync"
	"time"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// refTTL bounds how long a reference may lag a change made by another
// catalog process; changes made through this one invalidate at once.
const refTTL = 10 * time.Second

// maxCachedRefs bounds each map; past it, it is emptied.
const maxCachedRefs = 50_000

// refCache holds the short organization and user references embedded in
// datasets, so that a page of datasets needs no per-row lookup.
type refCache struct {
	orgs  *ttlRefs[*catalogv1.OrganizationRef]
	users *ttlRefs[*catalogv1.UserRef]
}

func newRefCache(st *store.Store, now func() time.Time) *refCache {
	return &refCache{
		orgs: newTTLRefs(now, func(ctx context.Context, ids []string) (map[string]*catalogv1.OrganizationRef, error) {
			orgs, err := st.GetOrganizationsByID(ctx, ids)
			if err != nil {
				return nil, err
			}
			refs := make(map[string]*catalogv1.OrganizationRef, len(orgs))
			for id, o := range orgs {
				refs[id] = orgRef(o)
			}
			return refs, nil
		}),
		users: newTTLRefs(now, func(ctx context.Context, ids []string) (map[string]*catalogv1.UserRef, error) {
			users, err := st.GetUsersByID(ctx, ids)
			if err != nil {
				return nil, err
			}
			refs := make(map[string]*catalogv1.UserRef, len(users))
			for id, u := range users {
				refs[id] = userRef(u)
			}
			return refs, nil
		}),
	}
}

func (c *refCache) forgetOrg(id string)  { c.orgs.forget(id) }
func (c *refCache) forgetUser(id string) { c.users.forget(id) }

// orgRefs returns references for ids (unknown ids are left out), loading
// the missing ones with one query.
func (c *refCache) orgRefs(ctx context.Context, ids []string) (map[string]*catalogv1.OrganizationRef, error) {
	return c.orgs.get(ctx, ids)
}

// userRefs is orgRefs for users.
func (c *refCache) userRefs(ctx context.Context, ids []string) (map[string]*catalogv1.UserRef, error) {
	return c.users.get(ctx, ids)
}

type ttlEntry[R any] struct {
	ref     R
	expires time.Time
}

// ttlRefs caches references by id for refTTL, loading the missing ones in
// one batch.
type ttlRefs[R any] struct {
	now  func() time.Time
	load func(ctx context.Context, ids []string) (map[string]R, error)
	mu   sync.RWMutex
	m    map[string]ttlEntry[R]
}

func newTTLRefs[R any](now func() time.Time, load func(context.Context, []string) (map[string]R, error)) *ttlRefs[R] {
	return &ttlRefs[R]{now: now, load: load, m: map[string]ttlEntry[R]{}}
}

func (c *ttlRefs[R]) forget(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

func (c *ttlRefs[R]) get(ctx context.Context, ids []string) (map[string]R, error) {
	out := make(map[string]R, len(ids))
	var missing []string
	seen := make(map[string]bool, len(ids))
	now := c.now()
	c.mu.RLock()
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if e, ok := c.m[id]; ok && now.Before(e.expires) {
			out[id] = e.ref
		} else {
			missing = append(missing, id)
		}
	}
	c.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := c.load(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) > maxCachedRefs {
		c.m = map[string]ttlEntry[R]{}
	}
	for id, ref := range loaded {
		c.m[id] = ttlEntry[R]{ref: ref, expires: now.Add(refTTL)}
		out[id] = ref
	}
	c.mu.Unlock()
	return out, nil
}

func orgRef(o *catalogv1.Organization) *catalogv1.OrganizationRef {
	return &catalogv1.OrganizationRef{
		Id:            o.GetId(),
		Slug:          o.GetSlug(),
		Name:          o.GetName(),
		Acronym:       o.Acronym,
		Logo:          o.Logo,
		LogoThumbnail: o.LogoThumbnail,
		Badges:        o.GetBadges(),
	}
}

func userRef(u store.User) *catalogv1.UserRef {
	r := &catalogv1.UserRef{Id: u.ID, Slug: u.Slug, FirstName: u.FirstName, LastName: u.LastName}
	if u.Avatar != "" {
		r.Avatar = &u.Avatar
		r.AvatarThumbnail = &u.Avatar
	}
	return r
}
