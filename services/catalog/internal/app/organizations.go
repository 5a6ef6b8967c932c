package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// Organization field limits.
const (
	maxOrgNameLength        = 350
	maxOrgDescriptionLength = 100_000
)

// resolveOrganization finds an organization by id, slug, slugified ref or
// old slug (the last two moved), as udata's ModelConverter.
func (s *Service) resolveOrganization(ctx context.Context, q store.Q, ref string) (o *catalogv1.Organization, moved bool, err error) {
	o, err = q.GetOrganization(ctx, ref)
	if err == nil || !isNotFound(err) {
		return o, false, err
	}
	if slug := domain.Slugify(ref, domain.MaxSlugLength); slug != "" && slug != ref {
		if o, err2 := q.GetOrganization(ctx, slug); err2 == nil || !isNotFound(err2) {
			return o, err2 == nil, err2
		}
	}
	id, err2 := q.ResolveOldSlug(ctx, store.KindOrganization, ref)
	if err2 != nil {
		return nil, false, err2
	}
	if id == "" {
		return nil, false, err
	}
	o, err = q.GetOrganization(ctx, id)
	return o, true, err
}

// GetOrganization returns an organization by id, slug or old slug (moved).
func (s *Service) GetOrganization(ctx context.Context, ref string) (*catalogv1.Organization, bool, error) {
	o, moved, err := s.resolveOrganization(ctx, s.store.Q, ref)
	if err != nil {
		return nil, false, err
	}
	if o.Deleted != nil {
		return nil, false, fmt.Errorf("organization %s: %w", ref, domain.ErrDeleted)
	}
	if err := s.presentOrganization(ctx, CallerFrom(ctx), o); err != nil {
		return nil, false, err
	}
	return o, moved, nil
}

// ListOrganizations returns a page of organizations and the total.
func (s *Service) ListOrganizations(ctx context.Context, req *catalogv1.ListOrganizationsRequest) ([]*catalogv1.Organization, int64, error) {
	page, size, err := pageArgs(req.GetPage(), req.GetPageSize())
	if err != nil {
		return nil, 0, err
	}
	sortKey, desc := strings.CutPrefix(req.GetSort(), "-")
	col := map[string]string{"name": "name_lower", "created": "created_at", "last_modified": "last_modified", "reuses": "reuses", "followers": "followers"}[sortKey]
	if req.GetSort() == "" {
		col, desc = "created_at", true
	}
	f := store.OrganizationFilter{
		Words: domain.SearchWords(req.GetQ()), Badge: req.GetBadge(), Name: req.GetName(), BusinessNumberID: req.GetBusinessNumberId(),
	}
	if f.IDs, err = idList(req.GetIds()); err != nil {
		return nil, 0, err
	}
	orgs, total, err := s.store.ListOrganizations(ctx, f, col, desc, size, (page-1)*size)
	if err != nil {
		return nil, 0, err
	}
	caller := CallerFrom(ctx)
	for _, o := range orgs {
		if err := s.presentOrganization(ctx, caller, o); err != nil {
			return nil, 0, err
		}
	}
	return orgs, total, nil
}

// SuggestOrganizations returns up to size organizations matching q, by
// name.
func (s *Service) SuggestOrganizations(ctx context.Context, q string, size int32) ([]*catalogv1.OrganizationRef, error) {
	if size <= 0 {
		size = 10
	}
	size = min(size, 100)
	orgs, _, err := s.store.ListOrganizations(ctx, store.OrganizationFilter{Words: domain.SearchWords(q)}, "name_lower", false, int(size), 0)
	if err != nil {
		return nil, err
	}
	out := make([]*catalogv1.OrganizationRef, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, orgRef(o))
	}
	return out, nil
}

// checkOrganizationInput validates the fields of in named by paths.
func checkOrganizationInput(v *domain.Violations, in *catalogv1.OrganizationInput, paths []string) {
	for _, p := range paths {
		switch p {
		case "name":
			domain.CheckText(v, p, in.GetName(), true, maxOrgNameLength)
		case "acronym":
			domain.CheckText(v, p, in.GetAcronym(), false, domain.MaxAcronymLength)
		case "description":
			domain.CheckText(v, p, in.GetDescription(), true, maxOrgDescriptionLength)
		case "url":
			domain.CheckOptionalURL(v, p, in.GetUrl())
		case "logo":
			domain.CheckOptionalURL(v, p, in.GetLogo())
		case "business_number_id":
			domain.CheckSIRET(v, p, in.GetBusinessNumberId())
		case "extras":
			checkJSONObject(v, p, in.GetExtrasJson())
		case "badges":
		default:
			v.Add(p, "Unknown field")
		}
	}
}

var orgPaths = []string{"name", "acronym", "description", "url", "logo", "business_number_id", "extras", "badges"}

// applyOrganizationInput copies the fields named by paths into o.
func applyOrganizationInput(o *catalogv1.Organization, in *catalogv1.OrganizationInput, paths []string, caller domain.Caller) {
	for _, p := range paths {
		switch p {
		case "name":
			o.Name = strings.TrimSpace(in.GetName())
		case "acronym":
			o.Acronym = nonEmpty(in.Acronym)
		case "description":
			o.Description = in.GetDescription()
		case "url":
			o.Url = nonEmpty(in.Url)
		case "logo":
			o.Logo = nonEmpty(in.Logo)
			o.LogoThumbnail = o.Logo
		case "business_number_id":
			o.BusinessNumberId = nonEmpty(in.BusinessNumberId)
		case "extras":
			o.ExtrasJson = in.GetExtrasJson()
		case "badges":
			if caller.Sysadmin {
				o.Badges = dedupBadges(in.GetBadges())
			}
		}
	}
}

// CreateOrganization creates an organization whose admin is the caller.
func (s *Service) CreateOrganization(ctx context.Context, in *catalogv1.OrganizationInput) (*catalogv1.Organization, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return nil, err
	}
	var v domain.Violations
	checkOrganizationInput(&v, in, orgPaths)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.nowUTC()
	o := &catalogv1.Organization{
		Id:           domain.NewObjectID(now),
		CreatedAt:    timestamppb.New(now),
		LastModified: timestamppb.New(now),
	}
	applyOrganizationInput(o, in, orgPaths, caller)
	err = s.commit(ctx, func(q store.Q) error {
		slug, err := uniqueSlug(ctx, q, store.KindOrganization, domain.Slugify(o.GetName(), domain.MaxSlugLength), o.GetId())
		if err != nil {
			return err
		}
		o.Slug = slug
		if err := q.InsertOrganization(ctx, o); err != nil {
			return err
		}
		if err := q.RecordSlugChange(ctx, store.KindOrganization, "", slug, o.GetId()); err != nil {
			return err
		}
		if err := q.PutMember(ctx, store.Member{OrganizationID: o.GetId(), UserID: caller.UserID, Role: domain.RoleAdmin, Since: now}); err != nil {
			return err
		}
		return s.organizationSnapshotEvent(ctx, q, Created, caller.UserID, o, now)
	})
	if err != nil {
		return nil, err
	}
	s.auth.forgetUser(caller.UserID)
	caller.Roles = withRole(caller.Roles, o.GetId(), domain.RoleAdmin)
	if err := s.presentOrganization(ctx, caller, o); err != nil {
		return nil, err
	}
	return o, nil
}

// UpdateOrganization changes the fields of an organization named by mask
// (JSON keys; nil = all, empty = none). Admins of the organization and
// sysadmins only.
func (s *Service) UpdateOrganization(ctx context.Context, ref string, in *catalogv1.OrganizationInput, mask []string) (*catalogv1.Organization, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return nil, err
	}
	if mask == nil {
		mask = orgPaths
	}
	var v domain.Violations
	checkOrganizationInput(&v, in, mask)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var o *catalogv1.Organization
	now := s.nowUTC()
	err = s.commit(ctx, func(q store.Q) error {
		var err error
		if o, _, err = s.resolveOrganization(ctx, q, ref); err != nil {
			return err
		}
		if o.Deleted != nil {
			return fmt.Errorf("organization %s: %w", ref, domain.ErrDeleted)
		}
		if !caller.CanEditOrganization(o.GetId()) {
			return fmt.Errorf("update organization %s: %w", ref, domain.ErrPermissionDenied)
		}
		oldName, oldSlug := o.GetName(), o.GetSlug()
		applyOrganizationInput(o, in, mask, caller)
		o.LastModified = timestamppb.New(now)
		if o.GetName() != oldName {
			slug, err := uniqueSlug(ctx, q, store.KindOrganization, domain.Slugify(o.GetName(), domain.MaxSlugLength), o.GetId())
			if err != nil {
				return err
			}
			o.Slug = slug
			if err := q.RecordSlugChange(ctx, store.KindOrganization, oldSlug, slug, o.GetId()); err != nil {
				return err
			}
		}
		if err := q.UpdateOrganization(ctx, o); err != nil {
			return err
		}
		return s.organizationSnapshotEvent(ctx, q, Updated, caller.UserID, o, now)
	})
	if err != nil {
		return nil, err
	}
	s.refs.forgetOrg(o.GetId())
	if err := s.presentOrganization(ctx, caller, o); err != nil {
		return nil, err
	}
	return o, nil
}

// DeleteOrganization soft-deletes an organization.
func (s *Service) DeleteOrganization(ctx context.Context, ref string) error {
	caller, err := requireCaller(ctx)
	if err != nil {
		return err
	}
	var id string
	now := s.nowUTC()
	err = s.commit(ctx, func(q store.Q) error {
		o, _, err := s.resolveOrganization(ctx, q, ref)
		if err != nil {
			return err
		}
		if o.Deleted != nil {
			return fmt.Errorf("organization %s: %w", ref, domain.ErrDeleted)
		}
		if !caller.CanEditOrganization(o.GetId()) {
			return fmt.Errorf("delete organization %s: %w", ref, domain.ErrPermissionDenied)
		}
		id = o.GetId()
		if err := s.organizationSnapshotEvent(ctx, q, Deleted, caller.UserID, proto.CloneOf(o), now); err != nil {
			return err
		}
		o.Deleted = timestamppb.New(now)
		o.LastModified = timestamppb.New(now)
		return q.UpdateOrganization(ctx, o)
	})
	if err != nil {
		return err
	}
	s.refs.forgetOrg(id)
	return nil
}

// organizationSnapshotEvent enqueues an organization event whose snapshot
// carries members and metrics, read with sysadmin rights.
func (s *Service) organizationSnapshotEvent(ctx context.Context, q store.Q, verb, actor string, o *catalogv1.Organization, at time.Time) error {
	snap := proto.CloneOf(o)
	if err := s.fillOrganization(ctx, q, domain.Caller{UserID: actor, Sysadmin: true}, snap); err != nil {
		return err
	}
	return s.organizationEvent(ctx, q, verb, actor, snap, at)
}

// presentOrganization fills members, metrics and permissions for caller.
func (s *Service) presentOrganization(ctx context.Context, caller domain.Caller, o *catalogv1.Organization) error {
	return s.fillOrganization(ctx, s.store.Q, caller, o)
}

func (s *Service) fillOrganization(ctx context.Context, q store.Q, caller domain.Caller, o *catalogv1.Organization) error {
	ms, err := q.Members(ctx, o.GetId())
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.UserID)
	}
	users, err := q.GetUsersByID(ctx, ids)
	if err != nil {
		return err
	}
	admin := caller.Sysadmin || caller.IsOrgAdmin(o.GetId())
	member := caller.IsMember(o.GetId())
	o.Members = make([]*catalogv1.Member, 0, len(ms))
	for _, m := range ms {
		u, ok := users[m.UserID]
		if !ok {
			continue
		}
		pm := &catalogv1.Member{User: userRef(u), Role: m.Role, Since: timestamppb.New(m.Since)}
		email := maskEmail(u.Email, admin || caller.UserID == u.ID, member)
		pm.Email = &email
		if !u.LastLoginAt.IsZero() && (admin || member) {
			pm.LastLoginAt = timestamppb.New(u.LastLoginAt)
		}
		o.Members = append(o.Members, pm)
	}
	counts, err := q.CountDatasetsByOrganization(ctx, []string{o.GetId()})
	if err != nil {
		return err
	}
	figures, err := q.Metrics(ctx, "organization", []string{o.GetId()})
	if err != nil {
		return err
	}
	reuses, err := q.CountReusesByOrganization(ctx, []string{o.GetId()})
	if err != nil {
		return err
	}
	followers, err := q.CountFollowers(ctx, store.FollowOrganization, []string{o.GetId()})
	if err != nil {
		return err
	}
	o.Metrics = &catalogv1.OrganizationMetrics{
		Datasets: counts[o.GetId()], Members: int64(len(o.Members)), Views: figures[o.GetId()]["views"],
		Reuses: reuses[o.GetId()], Followers: followers[o.GetId()],
	}
	o.Permissions = &catalogv1.OrganizationPermissions{
		Edit: admin, Delete: admin, Members: admin, Harvest: admin, Private: admin || member,
	}
	return nil
}

// maskEmail shows an email in full to the member and admins, as
// "ab****@domain" to co-members and "***@domain" to others.
func maskEmail(email string, full, coMember bool) string {
	if full {
		return email
	}
	local, domainPart, ok := strings.Cut(email, "@")
	if !ok {
		return "***"
	}
	if coMember && len(local) > 2 {
		return local[:2] + "****@" + domainPart
	}
	return "***@" + domainPart
}

func dedupBadges(in []*catalogv1.Badge) []*catalogv1.Badge {
	seen := map[string]bool{}
	var out []*catalogv1.Badge
	for _, b := range in {
		if b.GetKind() != "" && !seen[b.GetKind()] {
			seen[b.GetKind()] = true
			out = append(out, &catalogv1.Badge{Kind: b.GetKind()})
		}
	}
	return out
}

func nonEmpty(p *string) *string {
	if p == nil || *p == "" {
		return nil
	}
	v := *p
	return &v
}

func checkJSONObject(v *domain.Violations, field string, b []byte) {
	if len(b) == 0 {
		return
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		v.Add(field, "Must be a JSON object")
	}
}

func withRole(roles map[string]string, orgID, role string) map[string]string {
	out := make(map[string]string, len(roles)+1)
	for k, v := range roles {
		out[k] = v
	}
	out[orgID] = role
	return out
}
