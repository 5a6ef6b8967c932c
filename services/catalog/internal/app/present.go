package app

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// present fills the computed fields of stored datasets for caller:
// organization and owner references, quality and permissions. It modifies
// the datasets in place (they are fresh copies from the store).
func (s *Service) present(ctx context.Context, caller domain.Caller, ds ...*catalogv1.Dataset) error {
	orgIDs := make([]string, 0, len(ds))
	userIDs := make([]string, 0, len(ds))
	for _, d := range ds {
		if id := d.GetOrganization().GetId(); id != "" {
			orgIDs = append(orgIDs, id)
		}
		if id := d.GetOwner().GetId(); id != "" {
			userIDs = append(userIDs, id)
		}
	}
	orgs, err := s.refs.orgRefs(ctx, orgIDs)
	if err != nil {
		return err
	}
	users, err := s.refs.userRefs(ctx, userIDs)
	if err != nil {
		return err
	}
	if err := s.presentMetrics(ctx, ds); err != nil {
		return err
	}
	now := s.now()
	for _, d := range ds {
		orgID, ownerID := d.GetOrganization().GetId(), d.GetOwner().GetId()
		if orgID != "" {
			if ref, ok := orgs[orgID]; ok {
				d.Organization = ref
			}
		}
		if ownerID != "" {
			if ref, ok := users[ownerID]; ok {
				d.Owner = ref
			}
		}
		d.Quality = qualityOf(d, now)
		edit := caller.CanEditDataset(orgID, ownerID)
		d.Permissions = &catalogv1.DatasetPermissions{Delete: edit, Edit: edit, EditResources: edit}
	}
	return nil
}

// stripForStorage returns a copy of d as stored: references reduced to
// their ids, computed fields cleared.
func stripForStorage(d *catalogv1.Dataset) *catalogv1.Dataset {
	c := proto.CloneOf(d)
	if id := d.GetOrganization().GetId(); id != "" {
		c.Organization = &catalogv1.OrganizationRef{Id: id}
	} else {
		c.Organization = nil
	}
	if id := d.GetOwner().GetId(); id != "" {
		c.Owner = &catalogv1.UserRef{Id: id}
	} else {
		c.Owner = nil
	}
	c.Quality, c.Permissions, c.Metrics = nil, nil, nil
	for _, r := range c.GetResources() {
		r.Downloads = 0
	}
	return c
}

// presentMetrics fills the audience figures the analytics service set,
// and the reuses and followers counted from live ones.
func (s *Service) presentMetrics(ctx context.Context, ds []*catalogv1.Dataset) error {
	ids := make([]string, 0, len(ds))
	var resourceIDs []string
	for _, d := range ds {
		ids = append(ids, d.GetId())
		for _, r := range d.GetResources() {
			resourceIDs = append(resourceIDs, r.GetId())
		}
	}
	byDataset, err := s.store.Metrics(ctx, "dataset", ids)
	if err != nil {
		return err
	}
	byResource, err := s.store.Metrics(ctx, "resource", resourceIDs)
	if err != nil {
		return err
	}
	reuses, err := s.store.CountReusesByDataset(ctx, ids)
	if err != nil {
		return err
	}
	followers, err := s.store.CountFollowers(ctx, store.FollowDataset, ids)
	if err != nil {
		return err
	}
	for _, d := range ds {
		m := byDataset[d.GetId()]
		d.Metrics = &catalogv1.DatasetMetrics{
			Views: m["views"], ResourcesDownloads: m["resources_downloads"],
			Reuses: reuses[d.GetId()], Followers: followers[d.GetId()],
		}
		for _, r := range d.GetResources() {
			r.Downloads = byResource[r.GetId()]["downloads"]
		}
	}
	return nil
}

var checkAvailableKey = []byte(`"check:available"`)

func qualityOf(d *catalogv1.Dataset, now time.Time) *catalogv1.Quality {
	in := domain.QualityInput{
		LicenseSet:       d.GetLicense() != "" && d.GetLicense() != domain.DefaultLicenseID,
		TemporalCoverage: d.TemporalCoverage != nil,
		Spatial:          d.Spatial != nil,
		Frequency:        d.GetFrequency(),
		Description:      d.GetDescription(),
		LastUpdate:       d.GetLastUpdate().AsTime(),
		Resources:        make([]domain.QualityResource, 0, len(d.GetResources())),
	}
	for _, r := range d.GetResources() {
		qr := domain.QualityResource{Format: r.GetFormat(), Type: r.GetType(), Filetype: r.GetFiletype(), Description: r.GetDescription()}
		if bytes.Contains(r.GetExtrasJson(), checkAvailableKey) {
			var extras struct {
				Available *bool `json:"check:available"`
			}
			if json.Unmarshal(r.GetExtrasJson(), &extras) == nil {
				qr.Available = extras.Available
			}
		}
		in.Resources = append(in.Resources, qr)
	}
	q := domain.ComputeQuality(in, now)
	return &catalogv1.Quality{
		License:                   q.License,
		TemporalCoverage:          q.TemporalCoverage,
		Spatial:                   q.Spatial,
		UpdateFrequency:           q.UpdateFrequency,
		DatasetDescriptionQuality: q.DatasetDescriptionQuality,
		HasResources:              q.HasResources,
		HasOpenFormat:             q.HasOpenFormat,
		AllResourcesAvailable:     q.AllResourcesAvailable,
		ResourcesDocumentation:    q.ResourcesDocumentation,
		UpdateFulfilledInTime:     q.UpdateFulfilledInTime,
		Score:                     q.Score,
	}
}
