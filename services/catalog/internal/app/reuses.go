package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// resolveReuse finds a reuse by id, slug, slugified ref or old slug (the
// last two moved), as udata's ModelConverter.
func (s *Service) resolveReuse(ctx context.Context, q store.Q, ref string) (*catalogv1.Reuse, bool, error) {
	r, err := q.GetReuse(ctx, ref)
	if err == nil || !isNotFound(err) {
		return r, false, err
	}
	if slug := domain.Slugify(ref, domain.MaxSlugLength); slug != "" && slug != ref {
		if r, err2 := q.GetReuse(ctx, slug); err2 == nil || !isNotFound(err2) {
			return r, err2 == nil, err2
		}
	}
	id, err2 := q.ResolveOldSlug(ctx, store.KindReuse, ref)
	if err2 != nil {
		return nil, false, err2
	}
	if id == "" {
		return nil, false, err
	}
	r, err = q.GetReuse(ctx, id)
	return r, true, err
}

func canEditReuse(caller domain.Caller, r *catalogv1.Reuse) bool {
	return caller.CanEditDataset(r.GetOrganization().GetId(), r.GetOwner().GetId())
}

// visibleReuse applies udata's read rules: a private reuse is not found,
// a deleted one gone (410), for those who may not edit it.
func visibleReuse(caller domain.Caller, r *catalogv1.Reuse, ref string) error {
	if canEditReuse(caller, r) {
		return nil
	}
	switch {
	case r.GetPrivate():
		return fmt.Errorf("reuse %s: %w", ref, domain.ErrNotFound)
	case r.Deleted != nil:
		return fmt.Errorf("reuse %s: %w", ref, domain.ErrDeleted)
	}
	return nil
}

// GetReuse returns a reuse by id, slug or old slug (moved = true), its
// linked datasets in full.
func (s *Service) GetReuse(ctx context.Context, ref string) (*catalogv1.Reuse, bool, error) {
	caller := CallerFrom(ctx)
	key, gen, now := "reuse\x00"+caller.UserID+"\x00"+ref, s.store.Generation(), s.now()
	if e, ok := s.reads.get(key, gen, now); ok {
		return e.reuses[0], e.moved, nil
	}
	r, moved, err := s.resolveReuse(ctx, s.store.Q, ref)
	if err != nil {
		return nil, false, err
	}
	if err := visibleReuse(caller, r, ref); err != nil {
		return nil, false, err
	}
	if err := s.presentReuses(ctx, s.store.Q, caller, true, r); err != nil {
		return nil, false, err
	}
	s.reads.put(key, readEntry{reuses: []*catalogv1.Reuse{r}, moved: moved, gen: gen}, now)
	return r, moved, nil
}

// reuseSorts are udata's ReuseApiParser sorts.
var reuseSorts = map[string]bool{"title": true, "created": true, "last_modified": true, "datasets": true, "followers": true, "views": true}

// ListReuses returns a page of reuses (linked datasets reduced to id,
// title and slug) and the total.
func (s *Service) ListReuses(ctx context.Context, req *catalogv1.ListReusesRequest) ([]*catalogv1.Reuse, int64, error) {
	page, size, err := pageArgs(req.GetPage(), req.GetPageSize())
	if err != nil {
		return nil, 0, err
	}
	var v domain.Violations
	for _, id := range []struct{ field, val, msg string }{
		{"dataset", req.GetDataset(), "Dataset arg must be an identifier"},
		{"organization", req.GetOrganization(), "Organization arg must be an identifier"},
		{"owner", req.GetOwner(), "Owner arg must be an identifier"},
		{"followed_by", req.GetFollowedBy(), "`followed_by` arg must be an identifier"},
	} {
		if id.val != "" && !domain.IsObjectID(id.val) {
			v.Add(id.field, id.msg)
		}
	}
	if err := v.Err(); err != nil {
		return nil, 0, err
	}
	caller := CallerFrom(ctx)
	key, gen, now := reuseListKey(req, caller.UserID), s.store.Generation(), s.now()
	if e, ok := s.reads.get(key, gen, now); ok {
		return e.reuses, e.total, nil
	}
	f := store.ReuseFilter{
		Words:          domain.SearchWords(req.GetQ()),
		DatasetID:      strings.ToLower(req.GetDataset()),
		OrganizationID: strings.ToLower(req.GetOrganization()),
		OwnerID:        strings.ToLower(req.GetOwner()),
		FollowedBy:     strings.ToLower(req.GetFollowedBy()),
		Type:           req.GetType(),
		Topic:          req.GetTopic(),
		Featured:       req.Featured,
	}
	if f.IDs, err = idList(req.GetIds()); err != nil {
		return nil, 0, err
	}
	for _, t := range req.GetTags() {
		t = domain.Slugify(t, 0)
		if t == "" {
			return nil, 0, nil // matches nothing
		}
		f.Tags = append(f.Tags, t)
	}
	if req.GetIncludePrivate() && !caller.Anonymous() {
		f.AllPrivate = caller.Sysadmin
		f.PrivateOwnerID = caller.UserID
		for id := range caller.Roles {
			f.PrivateOrgIDs = append(f.PrivateOrgIDs, id)
		}
	}
	field, desc := strings.CutPrefix(req.GetSort(), "-")
	if !reuseSorts[field] {
		field, desc = "created", true
	}
	rs, err := s.store.ListReuses(ctx, f, field, desc, size, (page-1)*size)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.store.CountReuses(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.presentReuses(ctx, s.store.Q, caller, false, rs...); err != nil {
		return nil, 0, err
	}
	s.reads.put(key, readEntry{reuses: rs, total: total, gen: gen}, now)
	return rs, total, nil
}

// reuseListKey identifies a reuse list request as seen by a caller.
func reuseListKey(req *catalogv1.ListReusesRequest, userID string) string {
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	return "reuses\x00" + userID + "\x00" + string(b)
}

// CreateReuse creates a reuse for the caller or one of their
// organizations.
func (s *Service) CreateReuse(ctx context.Context, in *catalogv1.ReuseInput) (*catalogv1.Reuse, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	r := &catalogv1.Reuse{Id: domain.NewObjectID(now), CreatedAt: timestamppb.New(now), LastModified: timestamppb.New(now)}
	err = s.commit(ctx, func(q store.Q) error {
		if err := s.applyReuseInput(ctx, q, caller, r, in, reusePaths, now); err != nil {
			return err
		}
		slug, err := uniqueSlug(ctx, q, store.KindReuse, domain.Slugify(r.GetTitle(), domain.MaxSlugLength), r.GetId())
		if err != nil {
			return err
		}
		r.Slug = slug
		if err := s.saveReuse(ctx, q, r, true); err != nil {
			return err
		}
		if err := q.RecordSlugChange(ctx, store.KindReuse, "", slug, r.GetId()); err != nil {
			return err
		}
		if err := s.publishReuse(ctx, q, Created, caller.UserID, r, now); err != nil {
			return err
		}
		if !countsForDatasets(r) {
			return nil
		}
		return metricsEvents(ctx, q, "dataset", r.GetDatasetIds(), now)
	})
	if err != nil {
		return nil, err
	}
	if err := s.presentReuses(ctx, s.store.Q, caller, true, r); err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateReuse applies the fields of in named by mask (JSON keys; nil = all
// writable ones). udata answers 410 for a deleted reuse unless the body
// restores it ("deleted": null).
func (s *Service) UpdateReuse(ctx context.Context, ref string, in *catalogv1.ReuseInput, mask []string) (*catalogv1.Reuse, error) {
	paths := mask
	if paths == nil {
		paths = reusePaths
	}
	restoring := in.GetRestore() && (contains(paths, "deleted") || contains(paths, "restore"))
	return s.editReuse(ctx, ref, restoring, func(q store.Q, caller domain.Caller, r *catalogv1.Reuse, now time.Time) error {
		return s.applyReuseInput(ctx, q, caller, r, in, paths, now)
	})
}

// AddReuseDataset links a dataset to a reuse; added is false when it was
// linked already (nothing changes then).
func (s *Service) AddReuseDataset(ctx context.Context, ref, datasetID string) (*catalogv1.Reuse, bool, error) {
	if !domain.IsObjectID(datasetID) {
		return nil, false, fmt.Errorf("dataset %.100q: %w", datasetID, domain.ErrNotFound)
	}
	added := false
	r, err := s.editReuse(ctx, ref, false, func(q store.Q, _ domain.Caller, r *catalogv1.Reuse, _ time.Time) error {
		d, err := q.GetDataset(ctx, strings.ToLower(datasetID))
		if err != nil {
			return err
		}
		if contains(r.GetDatasetIds(), d.GetId()) {
			return errUnchanged
		}
		r.DatasetIds = append(r.DatasetIds, d.GetId())
		added = true
		return nil
	})
	if errors.Is(err, errUnchanged) {
		r, _, err = s.GetReuse(ctx, ref)
	}
	return r, added, err
}

// editReuse loads a reuse in a transaction, checks that the caller may
// edit it (and that it is not deleted unless allowDeleted), runs fn,
// saves it with a new last_modified and publishes reuse.updated.
func (s *Service) editReuse(ctx context.Context, ref string, allowDeleted bool, fn func(q store.Q, caller domain.Caller, r *catalogv1.Reuse, now time.Time) error) (*catalogv1.Reuse, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	var r *catalogv1.Reuse
	err = s.commit(ctx, func(q store.Q) error {
		var err error
		if r, _, err = s.resolveReuse(ctx, q, ref); err != nil {
			return err
		}
		if r.Deleted != nil && !allowDeleted {
			return fmt.Errorf("reuse %s: %w", ref, domain.ErrDeleted)
		}
		if !canEditReuse(caller, r) {
			return fmt.Errorf("edit reuse %s: %w", ref, domain.ErrPermissionDenied)
		}
		oldSlug, oldTitle := r.GetSlug(), r.GetTitle()
		oldDatasets, wasCounted := slices.Clone(r.GetDatasetIds()), countsForDatasets(r)
		if err := fn(q, caller, r, now); err != nil {
			return err
		}
		r.LastModified = timestamppb.New(now)
		if r.GetTitle() != oldTitle {
			if r.Slug, err = uniqueSlug(ctx, q, store.KindReuse, domain.Slugify(r.GetTitle(), domain.MaxSlugLength), r.GetId()); err != nil {
				return err
			}
		}
		if err := s.saveReuse(ctx, q, r, false); err != nil {
			return err
		}
		if err := q.RecordSlugChange(ctx, store.KindReuse, oldSlug, r.GetSlug(), r.GetId()); err != nil {
			return err
		}
		if err := s.publishReuse(ctx, q, Updated, caller.UserID, r, now); err != nil {
			return err
		}
		if wasCounted == countsForDatasets(r) && slices.Equal(oldDatasets, r.GetDatasetIds()) {
			return nil
		}
		return metricsEvents(ctx, q, "dataset", append(oldDatasets, r.GetDatasetIds()...), now)
	})
	if err != nil {
		return nil, err
	}
	if err := s.presentReuses(ctx, s.store.Q, caller, true, r); err != nil {
		return nil, err
	}
	return r, nil
}

// DeleteReuse soft-deletes a reuse.
func (s *Service) DeleteReuse(ctx context.Context, ref string) error {
	caller, err := requireCaller(ctx)
	if err != nil {
		return err
	}
	now := s.nowUTC()
	return s.commit(ctx, func(q store.Q) error {
		r, _, err := s.resolveReuse(ctx, q, ref)
		if err != nil {
			return err
		}
		if r.Deleted != nil {
			return fmt.Errorf("reuse %s: %w", ref, domain.ErrDeleted)
		}
		if !canEditReuse(caller, r) {
			return fmt.Errorf("delete reuse %s: %w", ref, domain.ErrPermissionDenied)
		}
		if err := s.publishReuse(ctx, q, Deleted, caller.UserID, r, now); err != nil {
			return err
		}
		if countsForDatasets(r) {
			if err := metricsEvents(ctx, q, "dataset", r.GetDatasetIds(), now); err != nil {
				return err
			}
		}
		r.Deleted = timestamppb.New(now)
		r.LastModified = timestamppb.New(now)
		return s.saveReuse(ctx, q, r, false)
	})
}

// countsForDatasets says whether r counts in its datasets' reuses figure
// (public live reuses): when that or its links change, the datasets are
// named in a metrics_changed event.
func countsForDatasets(r *catalogv1.Reuse) bool {
	return !r.GetPrivate() && r.Deleted == nil
}

// saveReuse stores r stripped of computed fields, with its search text.
func (s *Service) saveReuse(ctx context.Context, q store.Q, r *catalogv1.Reuse, insert bool) error {
	orgName := ""
	if id := r.GetOrganization().GetId(); id != "" {
		refs, err := s.refs.orgRefs(ctx, []string{id})
		if err != nil {
			return err
		}
		orgName = refs[id].GetName()
	}
	rec := store.ReuseRecord{Reuse: stripReuse(r), SearchText: reuseSearchText(r, orgName), URLKey: domain.ReuseURLKey(r.GetUrl())}
	if insert {
		return q.InsertReuse(ctx, rec)
	}
	return q.UpdateReuse(ctx, rec)
}

// stripReuse returns a copy of r as stored: references reduced to ids,
// computed fields cleared.
func stripReuse(r *catalogv1.Reuse) *catalogv1.Reuse {
	c := proto.CloneOf(r)
	c.Organization, c.Owner = nil, nil
	if id := r.GetOrganization().GetId(); id != "" {
		c.Organization = &catalogv1.OrganizationRef{Id: id}
	}
	if id := r.GetOwner().GetId(); id != "" {
		c.Owner = &catalogv1.UserRef{Id: id}
	}
	c.Datasets, c.Metrics, c.Permissions = nil, nil, nil
	return c
}

// publishReuse enqueues a reuse event; its snapshot is presented with
// sysadmin rights, linked datasets as ids only.
func (s *Service) publishReuse(ctx context.Context, q store.Q, verb, actor string, r *catalogv1.Reuse, at time.Time) error {
	snap := proto.CloneOf(r)
	if err := s.presentReuses(ctx, q, domain.Caller{UserID: actor, Sysadmin: true}, false, snap); err != nil {
		return err
	}
	snap.Datasets = nil
	id := events.NewID()
	return enqueue(ctx, q, SubjectPrefix+"reuse."+verb, &eventsv1.ReuseChanged{
		EventId: id, OccurredAt: timestamppb.New(at), ActorId: actor, Reuse: snap,
	}, id, at)
}

// presentReuses fills the computed fields of reuses for caller:
// organization and owner references, linked datasets (presented in full
// when full, else reduced to id, title and slug; those the caller may not
// see are left out), metrics and permissions.
func (s *Service) presentReuses(ctx context.Context, q store.Q, caller domain.Caller, full bool, rs ...*catalogv1.Reuse) error {
	var orgIDs, userIDs, ids, datasetIDs []string
	for _, r := range rs {
		ids = append(ids, r.GetId())
		if id := r.GetOrganization().GetId(); id != "" {
			orgIDs = append(orgIDs, id)
		}
		if id := r.GetOwner().GetId(); id != "" {
			userIDs = append(userIDs, id)
		}
		datasetIDs = append(datasetIDs, r.GetDatasetIds()...)
	}
	orgs, err := s.refs.orgRefs(ctx, orgIDs)
	if err != nil {
		return err
	}
	users, err := s.refs.userRefs(ctx, userIDs)
	if err != nil {
		return err
	}
	datasets, err := q.GetDatasetsByID(ctx, datasetIDs)
	if err != nil {
		return err
	}
	byMonth, err := q.FollowersByMonth(ctx, store.FollowReuse, ids)
	if err != nil {
		return err
	}
	figures, err := q.Metrics(ctx, "reuse", ids)
	if err != nil {
		return err
	}
	var shown []*catalogv1.Dataset
	for _, r := range rs {
		if ref, ok := orgs[r.GetOrganization().GetId()]; ok {
			r.Organization = ref
		}
		if ref, ok := users[r.GetOwner().GetId()]; ok {
			r.Owner = ref
		}
		r.Datasets = r.Datasets[:0]
		for _, id := range r.GetDatasetIds() {
			d, ok := datasets[id]
			if !ok || visibleDataset(caller, d, id) != nil {
				continue
			}
			if !full {
				d = &catalogv1.Dataset{Id: d.GetId(), Title: d.GetTitle(), Slug: d.GetSlug()}
			}
			r.Datasets = append(r.Datasets, d)
			shown = append(shown, d)
		}
		r.Metrics = &catalogv1.ReuseMetrics{
			Datasets:          int64(len(r.GetDatasetIds())),
			Followers:         sum(byMonth[r.GetId()]),
			FollowersByMonths: byMonth[r.GetId()],
			Views:             figures[r.GetId()]["views"],
		}
		edit := canEditReuse(caller, r)
		r.Permissions = &catalogv1.ReusePermissions{Delete: edit, Edit: edit}
	}
	if full && len(shown) > 0 {
		return s.present(ctx, caller, shown...)
	}
	return nil
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
