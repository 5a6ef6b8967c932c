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

type orgEntry struct {
	ref     *catalogv1.OrganizationRef
	expires time.Time
}

type userEntry struct {
	ref     *catalogv1.UserRef
	expires time.Time
}

// refCache holds the short organization and user references embedded in
// datasets, so that a page of datasets needs no per-row lookup.
type refCache struct {
	st    *store.Store
	now   func() time.Time
	mu    sync.RWMutex
	orgs  map[string]orgEntry
	users map[string]userEntry
}

func newRefCache(st *store.Store, now func() time.Time) *refCache {
	return &refCache{st: st, now: now, orgs: map[string]orgEntry{}, users: map[string]userEntry{}}
}

func (c *refCache) forgetOrg(id string) {
	c.mu.Lock()
	delete(c.orgs, id)
	c.mu.Unlock()
}

func (c *refCache) forgetUser(id string) {
	c.mu.Lock()
	delete(c.users, id)
	c.mu.Unlock()
}

// orgRefs returns references for ids (unknown ids are left out), loading
// the missing ones with one query.
func (c *refCache) orgRefs(ctx context.Context, ids []string) (map[string]*catalogv1.OrganizationRef, error) {
	out := make(map[string]*catalogv1.OrganizationRef, len(ids))
	var missing []string
	now := c.now()
	c.mu.RLock()
	for _, id := range ids {
		if id == "" {
			continue
		}
		if e, ok := c.orgs[id]; ok && now.Before(e.expires) {
			out[id] = e.ref
		} else if _, dup := out[id]; !dup {
			missing = append(missing, id)
		}
	}
	c.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	orgs, err := c.st.GetOrganizationsByID(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.orgs) > maxCachedRefs {
		c.orgs = map[string]orgEntry{}
	}
	for id, o := range orgs {
		ref := orgRef(o)
		c.orgs[id] = orgEntry{ref: ref, expires: now.Add(refTTL)}
		out[id] = ref
	}
	c.mu.Unlock()
	return out, nil
}

// userRefs is orgRefs for users.
func (c *refCache) userRefs(ctx context.Context, ids []string) (map[string]*catalogv1.UserRef, error) {
	out := make(map[string]*catalogv1.UserRef, len(ids))
	var missing []string
	now := c.now()
	c.mu.RLock()
	for _, id := range ids {
		if id == "" {
			continue
		}
		if e, ok := c.users[id]; ok && now.Before(e.expires) {
			out[id] = e.ref
		} else {
			missing = append(missing, id)
		}
	}
	c.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	users, err := c.st.GetUsersByID(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.users) > maxCachedRefs {
		c.users = map[string]userEntry{}
	}
	for id, u := range users {
		ref := userRef(u)
		c.users[id] = userEntry{ref: ref, expires: now.Add(refTTL)}
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
