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

// ImportCounts tallies what an import did.
type ImportCounts struct {
	OrganizationsCreated, OrganizationsSkipped int64
	DatasetsCreated, DatasetsSkipped           int64
}

// Import stores organizations then datasets with their own ids and dates,
// in one transaction. Objects whose id exists are skipped, so an import can
// be replayed. Values are normalized leniently (an unknown licence becomes
// notspecified, bad tags are dropped) rather than rejected. Sysadmins only.
func (s *Service) Import(ctx context.Context, orgs []*catalogv1.Organization, datasets []*catalogv1.Dataset) (ImportCounts, error) {
	var c ImportCounts
	caller, err := requireCaller(ctx)
	if err != nil {
		return c, err
	}
	if !caller.Sysadmin {
		return c, fmt.Errorf("import: %w", domain.ErrPermissionDenied)
	}
	now := s.nowUTC()
	orgNames := map[string]string{}
	err = s.commit(ctx, func(q store.Q) error {
		c = ImportCounts{}
		for i, in := range orgs {
			created, err := s.importOrganization(ctx, q, caller, in, now)
			if err != nil {
				return fmt.Errorf("organization %d (%s): %w", i, in.GetId(), err)
			}
			if created {
				c.OrganizationsCreated++
			} else {
				c.OrganizationsSkipped++
			}
			orgNames[strings.ToLower(in.GetId())] = in.GetName()
		}
		ids := make([]string, 0, len(datasets))
		slugs := make([]string, 0, len(datasets))
		for _, in := range datasets {
			ids = append(ids, strings.ToLower(in.GetId()))
			if in.GetSlug() != "" {
				slugs = append(slugs, in.GetSlug())
			}
		}
		existing, err := q.ExistingDatasetIDs(ctx, ids)
		if err != nil {
			return err
		}
		taken, err := q.TakenSlugs(ctx, store.KindDataset, slugs)
		if err != nil {
			return err
		}
		for i, in := range datasets {
			if existing[strings.ToLower(in.GetId())] {
				c.DatasetsSkipped++
				continue
			}
			created, err := s.importDataset(ctx, q, caller, in, orgNames, taken, now)
			if err != nil {
				return fmt.Errorf("dataset %d (%s): %w", i, in.GetId(), err)
			}
			existing[strings.ToLower(in.GetId())] = true // a repeated id in one message is skipped
			if created {
				c.DatasetsCreated++
			} else {
				c.DatasetsSkipped++
			}
		}
		return nil
	})
	return c, err
}

func (s *Service) importOrganization(ctx context.Context, q store.Q, caller domain.Caller, in *catalogv1.Organization, now time.Time) (bool, error) {
	id := strings.ToLower(in.GetId())
	if !domain.IsObjectID(id) {
		return false, domain.Invalid("id", "Must be a 24-hex identifier")
	}
	exists, err := q.OrganizationExists(ctx, id)
	if err != nil || exists {
		return false, err
	}
	var v domain.Violations
	domain.CheckText(&v, "name", in.GetName(), true, maxOrgNameLength)
	if err := v.Err(); err != nil {
		return false, err
	}
	o := &catalogv1.Organization{
		Id: id, Name: strings.TrimSpace(in.GetName()), Acronym: nonEmpty(in.Acronym), Description: in.GetDescription(),
		Url: nonEmpty(in.Url), BusinessNumberId: nonEmpty(in.BusinessNumberId), Logo: nonEmpty(in.Logo),
		LogoThumbnail: nonEmpty(in.LogoThumbnail), Badges: dedupBadges(in.GetBadges()), ExtrasJson: in.GetExtrasJson(),
		CreatedAt: in.GetCreatedAt(), LastModified: in.GetLastModified(),
	}
	if o.CreatedAt == nil {
		o.CreatedAt = timestamppb.New(now)
	}
	if o.LastModified == nil {
		o.LastModified = o.CreatedAt
	}
	if o.Slug, err = s.importSlug(ctx, q, store.KindOrganization, in.GetSlug(), o.GetName(), id); err != nil {
		return false, err
	}
	if err := q.InsertOrganization(ctx, o); err != nil {
		return false, err
	}
	s.refs.forgetOrg(id)
	return true, s.organizationEvent(ctx, q, Created, caller.UserID, o, now)
}

// importSlug keeps the given slug when it is free, else derives one.
func (s *Service) importSlug(ctx context.Context, q store.Q, kind, given, title, id string) (string, error) {
	if domain.IsURLSafeSlug(given) {
		taken, err := q.SlugTaken(ctx, kind, given, id)
		if err != nil {
			return "", err
		}
		if !taken {
			return given, nil
		}
	}
	return uniqueSlug(ctx, q, kind, domain.Slugify(title, domain.MaxSlugLength), id)
}

func (s *Service) importDataset(ctx context.Context, q store.Q, caller domain.Caller, in *catalogv1.Dataset, orgNames map[string]string, taken map[string]bool, now time.Time) (bool, error) {
	id := strings.ToLower(in.GetId())
	if !domain.IsObjectID(id) {
		return false, domain.Invalid("id", "Must be a 24-hex identifier")
	}
	var err error
	d := proto.CloneOf(in)
	d.Id = id
	d.Quality, d.Permissions = nil, nil
	var v domain.Violations
	domain.CheckText(&v, "title", d.GetTitle(), true, domain.MaxTitleLength)
	if err := v.Err(); err != nil {
		return false, err
	}
	var ignore domain.Violations
	if d.License = domain.NormalizeLicense(&ignore, "license", d.GetLicense()); d.License == "" {
		d.License = domain.DefaultLicenseID
	}
	if f, ok := domain.NormalizeFrequency(d.GetFrequency()); ok {
		d.Frequency = f
	} else {
		d.Frequency = domain.DefaultFrequency
	}
	d.Tags = domain.NormalizeTags(&ignore, "tags", d.GetTags())
	if d.AccessType == "" {
		d.AccessType = "open"
	}
	if d.CreatedAtInternal == nil {
		d.CreatedAtInternal = timestamppb.New(now)
	}
	if d.LastModifiedInternal == nil {
		d.LastModifiedInternal = d.CreatedAtInternal
	}
	orgName := ""
	if oid := strings.ToLower(d.GetOrganization().GetId()); oid != "" {
		d.Organization = &catalogv1.OrganizationRef{Id: oid}
		name, ok := orgNames[oid]
		if !ok {
			refs, err := s.refs.orgRefs(ctx, []string{oid})
			if err != nil {
				return false, err
			}
			name = refs[oid].GetName()
		}
		orgName = name
	} else {
		d.Organization = nil
	}
	if uid := d.GetOwner().GetId(); uid != "" {
		d.Owner = &catalogv1.UserRef{Id: strings.ToLower(uid)}
	} else {
		d.Owner = nil
	}
	for _, r := range d.GetResources() {
		r.Id = strings.ToLower(r.GetId())
		if !domain.IsCanonicalUUID(r.GetId()) {
			r.Id = domain.NewUUID4()
		}
		r.Format = domain.NormalizeFormat(r.GetFormat())
		if r.Type == "" {
			r.Type = domain.ResourceTypeMain
		}
		if r.Filetype == "" {
			r.Filetype = domain.FiletypeRemote
		}
		if r.CreatedAtInternal == nil {
			r.CreatedAtInternal = d.GetCreatedAtInternal()
		}
		if r.LastModifiedInternal == nil {
			r.LastModifiedInternal = r.GetCreatedAtInternal()
		}
	}
	refreshLastUpdate(d, now)
	if given := in.GetSlug(); !taken[given] && domain.IsURLSafeSlug(given) {
		d.Slug = given // known free: checked for the whole message at once
	} else if d.Slug, err = s.importSlug(ctx, q, store.KindDataset, "", d.GetTitle(), id); err != nil {
		return false, err
	}
	taken[d.Slug] = true
	if err := q.InsertDataset(ctx, store.DatasetRecord{Dataset: stripForStorage(d), SearchText: searchText(d, orgName)}); err != nil {
		return false, err
	}
	return true, s.publishDataset(ctx, q, Created, caller.UserID, d, now)
}
