package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// resolveDataset finds a dataset by id, slug, slugified ref or old slug
// (the last two moved), as udata's ModelConverter.
func (s *Service) resolveDataset(ctx context.Context, q store.Q, ref string) (*catalogv1.Dataset, bool, error) {
	d, err := q.GetDataset(ctx, ref)
	if err == nil || !isNotFound(err) {
		return d, false, err
	}
	if slug := domain.Slugify(ref, domain.MaxSlugLength); slug != "" && slug != ref {
		if d, err2 := q.GetDataset(ctx, slug); err2 == nil || !isNotFound(err2) {
			return d, err2 == nil, err2
		}
	}
	id, err2 := q.ResolveOldSlug(ctx, store.KindDataset, ref)
	if err2 != nil {
		return nil, false, err2
	}
	if id == "" {
		return nil, false, err
	}
	d, err = q.GetDataset(ctx, id)
	return d, true, err
}

// visibleDataset applies read rules: private datasets are invisible
// (not found) to those who may not edit them, deleted ones are gone
// (ErrDeleted) for them.
func visibleDataset(caller domain.Caller, d *catalogv1.Dataset, ref string) error {
	canEdit := caller.CanEditDataset(d.GetOrganization().GetId(), d.GetOwner().GetId())
	switch {
	case d.GetPrivate() && !canEdit:
		return fmt.Errorf("dataset %s: %w", ref, domain.ErrNotFound)
	case d.Deleted != nil && !canEdit:
		return fmt.Errorf("dataset %s: %w", ref, domain.ErrDeleted)
	}
	return nil
}

// GetDataset returns a dataset by id, slug or old slug (moved = true).
func (s *Service) GetDataset(ctx context.Context, ref string) (*catalogv1.Dataset, bool, error) {
	caller := CallerFrom(ctx)
	key, gen, now := "get\x00"+caller.UserID+"\x00"+ref, s.store.Generation(), s.now()
	if e, ok := s.reads.get(key, gen, now); ok {
		return e.datasets[0], e.moved, nil
	}
	d, moved, err := s.resolveDataset(ctx, s.store.Q, ref)
	if err != nil {
		return nil, false, err
	}
	if err := visibleDataset(caller, d, ref); err != nil {
		return nil, false, err
	}
	if err := s.present(ctx, caller, d); err != nil {
		return nil, false, err
	}
	s.reads.put(key, readEntry{datasets: []*catalogv1.Dataset{d}, moved: moved, gen: gen}, now)
	return d, moved, nil
}

// datasetSorts maps the sort argument to a stored column or a live count
// (reuses, followers); the views sort falls back to creation.
var datasetSorts = map[string]string{
	"created": "created", "last_update": "last_update", "title": "title",
	"reuses": "reuses", "followers": "followers", "views": "created",
}

// ListDatasets returns a page of datasets and the total.
func (s *Service) ListDatasets(ctx context.Context, req *catalogv1.ListDatasetsRequest) ([]*catalogv1.Dataset, int64, error) {
	page, size, err := pageArgs(req.GetPage(), req.GetPageSize())
	if err != nil {
		return nil, 0, err
	}
	var v domain.Violations
	if o := req.GetOrganization(); o != "" && !domain.IsObjectID(o) {
		v.Add("organization", "Organization arg must be an identifier")
	}
	if o := req.GetOwner(); o != "" && !domain.IsObjectID(o) {
		v.Add("owner", "Owner arg must be an identifier")
	}
	if o := req.GetReuse(); o != "" && !domain.IsObjectID(o) {
		v.Add("reuse", "Reuse arg must be an identifier")
	}
	tcFrom, tcTo, tcOK := parseTemporalCoverage(req.GetTemporalCoverage())
	if !tcOK {
		v.Add("temporal_coverage", msgTemporalCoverage)
	}
	if err := v.Err(); err != nil {
		return nil, 0, err
	}
	caller := CallerFrom(ctx)
	stateFilters := req.Archived != nil || req.Deleted != nil || req.Private != nil
	if stateFilters && caller.Anonymous() {
		return nil, 0, domain.ErrAuthRequired
	}
	key, gen, now := listKey(req, caller.UserID), s.store.Generation(), s.now()
	if e, ok := s.reads.get(key, gen, now); ok {
		return e.datasets, e.total, nil
	}
	f := store.DatasetFilter{
		Words:          domain.SearchWords(req.GetQ()),
		OrganizationID: strings.ToLower(req.GetOrganization()),
		OwnerID:        strings.ToLower(req.GetOwner()),
		License:        req.GetLicense(),
		Format:         domain.NormalizeFormat(req.GetFormat()),
		Featured:       req.Featured,
		Granularity:    req.GetGranularity(),
		Zone:           req.GetGeozone(),
		Badge:          req.GetBadge(),
		Schema:         req.GetSchema(),
		SchemaVersion:  req.GetSchemaVersion(),
		TemporalFrom:   tcFrom,
		TemporalTo:     tcTo,
		Archived:       req.Archived,
		Deleted:        req.Deleted,
		Private:        req.Private,
		ReuseID:        strings.ToLower(req.GetReuse()),
	}
	if f.IDs, err = idList(req.GetIds()); err != nil {
		return nil, 0, err
	}
	for _, t := range req.GetTags() {
		if t = domain.Slugify(t, 0); t != "" {
			f.Tags = append(f.Tags, t)
		} else {
			return nil, 0, nil // matches nothing
		}
	}
	if (req.GetIncludePrivate() || stateFilters) && !caller.Anonymous() {
		f.PrivateOwnerID = caller.UserID
		for id := range caller.Roles {
			f.PrivateOrgIDs = append(f.PrivateOrgIDs, id)
		}
	}
	if stateFilters {
		// udata's visible_by_user: sysadmins see everything, others their
		// organizations' and their own datasets whatever their state.
		f.AnyState, f.AllPrivate = true, caller.Sysadmin
	}
	sortKey, desc := strings.CutPrefix(req.GetSort(), "-")
	col, ok := datasetSorts[sortKey]
	if !ok {
		col, desc = "created", true
	}
	ds, err := s.store.ListDatasets(ctx, f, store.DatasetSort{Field: col, Desc: desc}, size, (page-1)*size)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.store.CountDatasetsCached(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.present(ctx, caller, ds...); err != nil {
		return nil, 0, err
	}
	s.reads.put(key, readEntry{datasets: ds, total: total, gen: gen}, now)
	return ds, total, nil
}

// CreateDataset creates a dataset (with its resources) for the caller or
// one of their organizations.
func (s *Service) CreateDataset(ctx context.Context, in *catalogv1.DatasetInput) (*catalogv1.Dataset, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	d := &catalogv1.Dataset{
		Id:                   domain.NewObjectID(now),
		CreatedAtInternal:    timestamppb.New(now),
		LastModifiedInternal: timestamppb.New(now),
	}
	err = s.commit(ctx, func(q store.Q) error {
		if err := s.applyDatasetInput(ctx, q, caller, d, in, datasetPaths, now); err != nil {
			return err
		}
		refreshLastUpdate(d, now)
		slug, err := uniqueSlug(ctx, q, store.KindDataset, domain.Slugify(d.GetTitle(), domain.MaxSlugLength), d.GetId())
		if err != nil {
			return err
		}
		d.Slug = slug
		if err := s.saveDataset(ctx, q, d, true); err != nil {
			return err
		}
		if err := q.RecordSlugChange(ctx, store.KindDataset, "", slug, d.GetId()); err != nil {
			return err
		}
		if err := s.publishDataset(ctx, q, Created, caller.UserID, d, now); err != nil {
			return err
		}
		for _, r := range d.GetResources() {
			if err := s.resourceEvent(ctx, q, Created, caller.UserID, d.GetId(), r, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.present(ctx, caller, d); err != nil {
		return nil, err
	}
	return d, nil
}

// saveDataset stores d (stripped of computed fields), with its search
// text.
func (s *Service) saveDataset(ctx context.Context, q store.Q, d *catalogv1.Dataset, insert bool) error {
	orgName := ""
	if id := d.GetOrganization().GetId(); id != "" {
		refs, err := s.refs.orgRefs(ctx, []string{id})
		if err != nil {
			return err
		}
		orgName = refs[id].GetName()
	}
	rec := store.DatasetRecord{Dataset: stripForStorage(d), SearchText: searchText(d, orgName)}
	if insert {
		return q.InsertDataset(ctx, rec)
	}
	return q.UpdateDataset(ctx, rec)
}

// publishDataset enqueues a dataset event whose snapshot is presented with
// sysadmin rights.
func (s *Service) publishDataset(ctx context.Context, q store.Q, verb, actor string, d *catalogv1.Dataset, at time.Time) error {
	snap := proto.CloneOf(d)
	if err := s.present(ctx, domain.Caller{UserID: actor, Sysadmin: true}, snap); err != nil {
		return err
	}
	return s.datasetEvent(ctx, q, verb, actor, snap, at)
}

// editDataset loads a dataset in a transaction, checks that the caller may
// edit it (and that it is not deleted unless allowDeleted), runs fn, saves
// it with a new last_modified and publishes dataset.updated.
func (s *Service) editDataset(ctx context.Context, ref string, allowDeleted bool, fn func(q store.Q, caller domain.Caller, d *catalogv1.Dataset, now time.Time) error) (*catalogv1.Dataset, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return nil, err
	}
	return s.editDatasetAs(ctx, caller, false, ref, allowDeleted, fn)
}

// editDatasetAs is editDataset for a given caller; with system (changes
// driven by events: no user), the caller's rights are not checked.
func (s *Service) editDatasetAs(ctx context.Context, caller domain.Caller, system bool, ref string, allowDeleted bool, fn func(q store.Q, caller domain.Caller, d *catalogv1.Dataset, now time.Time) error) (*catalogv1.Dataset, error) {
	now := s.nowUTC()
	var d *catalogv1.Dataset
	err := s.commit(ctx, func(q store.Q) error {
		if err := q.LockDataset(ctx, ref); err != nil {
			return err
		}
		var err error
		if d, _, err = s.resolveDataset(ctx, q, ref); err != nil {
			return err
		}
		orgID, ownerID := d.GetOrganization().GetId(), d.GetOwner().GetId()
		if !system && !caller.CanEditDataset(orgID, ownerID) {
			if d.GetPrivate() {
				return fmt.Errorf("dataset %s: %w", ref, domain.ErrNotFound)
			}
			if d.Deleted != nil {
				return fmt.Errorf("dataset %s: %w", ref, domain.ErrDeleted)
			}
			return fmt.Errorf("edit dataset %s: %w", ref, domain.ErrPermissionDenied)
		}
		if d.Deleted != nil && !allowDeleted {
			return fmt.Errorf("dataset %s: %w", ref, domain.ErrDeleted)
		}
		oldSlug, oldTitle := d.GetSlug(), d.GetTitle()
		if err := fn(q, caller, d, now); err != nil {
			return err
		}
		d.LastModifiedInternal = timestamppb.New(now)
		refreshLastUpdate(d, now)
		if d.GetTitle() != oldTitle {
			if d.Slug, err = uniqueSlug(ctx, q, store.KindDataset, domain.Slugify(d.GetTitle(), domain.MaxSlugLength), d.GetId()); err != nil {
				return err
			}
		}
		if err := s.saveDataset(ctx, q, d, false); err != nil {
			return err
		}
		if err := q.RecordSlugChange(ctx, store.KindDataset, oldSlug, d.GetSlug(), d.GetId()); err != nil {
			return err
		}
		return s.publishDataset(ctx, q, Updated, caller.UserID, d, now)
	})
	if err != nil {
		return nil, err
	}
	if err := s.present(ctx, caller, d); err != nil {
		return nil, err
	}
	return d, nil
}

// UpdateDataset applies the fields of in named by mask (JSON keys; nil
// = a full PUT). "deleted" with in.restore restores a deleted dataset.
func (s *Service) UpdateDataset(ctx context.Context, ref string, in *catalogv1.DatasetInput, mask []string) (*catalogv1.Dataset, error) {
	paths := mask
	if paths == nil {
		paths = datasetPaths
		if in.GetRestore() {
			paths = append(append([]string{}, paths...), "deleted")
		}
	}
	restoring := in.GetRestore() && (contains(paths, "deleted") || contains(paths, "restore"))
	return s.editDataset(ctx, ref, restoring, func(q store.Q, caller domain.Caller, d *catalogv1.Dataset, now time.Time) error {
		before := make(map[string]bool, len(d.GetResources()))
		for _, r := range d.GetResources() {
			before[r.GetId()] = true
		}
		if err := s.applyDatasetInput(ctx, q, caller, d, in, paths, now); err != nil {
			return err
		}
		if !contains(paths, "resources") {
			return nil
		}
		for _, r := range d.GetResources() {
			verb := Updated
			if !before[r.GetId()] {
				verb = Created
			}
			delete(before, r.GetId())
			if err := s.resourceEvent(ctx, q, verb, caller.UserID, d.GetId(), r, now); err != nil {
				return err
			}
		}
		for id := range before {
			if err := s.resourceEvent(ctx, q, Deleted, caller.UserID, d.GetId(), &catalogv1.Resource{Id: id}, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteDataset soft-deletes a dataset.
func (s *Service) DeleteDataset(ctx context.Context, ref string) error {
	caller, err := requireCaller(ctx)
	if err != nil {
		return err
	}
	now := s.nowUTC()
	return s.commit(ctx, func(q store.Q) error {
		d, _, err := s.resolveDataset(ctx, q, ref)
		if err != nil {
			return err
		}
		if err := visibleDataset(caller, d, ref); err != nil {
			return err
		}
		if !caller.CanEditDataset(d.GetOrganization().GetId(), d.GetOwner().GetId()) {
			return fmt.Errorf("delete dataset %s: %w", ref, domain.ErrPermissionDenied)
		}
		if d.Deleted != nil {
			return fmt.Errorf("dataset %s: %w", ref, domain.ErrDeleted)
		}
		if err := s.publishDataset(ctx, q, Deleted, caller.UserID, d, now); err != nil {
			return err
		}
		d.Deleted = timestamppb.New(now)
		d.LastModifiedInternal = timestamppb.New(now)
		return s.saveDataset(ctx, q, d, false)
	})
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// msgTemporalCoverage answers a temporal_coverage argument that is not
// YYYY-MM-DD-YYYY-MM-DD (udata does not check it; Relais refuses rather
// than answer an unfiltered list).
const msgTemporalCoverage = "temporal_coverage arg must be YYYY-MM-DD-YYYY-MM-DD"

// parseTemporalCoverage splits YYYY-MM-DD-YYYY-MM-DD into its two dates;
// ok is false when tc is set but malformed. Empty gives "", "", true.
func parseTemporalCoverage(tc string) (from, to string, ok bool) {
	if tc == "" {
		return "", "", true
	}
	if len(tc) != 21 || tc[10] != '-' {
		return "", "", false
	}
	from, to = tc[:10], tc[11:]
	for _, d := range []string{from, to} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return "", "", false
		}
	}
	return from, to, true
}
