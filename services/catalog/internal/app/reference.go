package app

import (
	"context"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// ReferenceLists returns licences, frequencies, resource types, roles,
// reuse types and topics.
func (s *Service) ReferenceLists() *catalogv1.GetReferenceListsResponse {
	out := &catalogv1.GetReferenceListsResponse{}
	for _, l := range domain.Licenses() {
		pl := &catalogv1.License{
			Id: l.ID, Title: l.Title,
			Flags: orEmpty(l.Flags), AlternateUrls: orEmpty(l.AlternateURLs), AlternateTitles: orEmpty(l.AlternateTitles),
		}
		if l.URL != "" {
			u := l.URL
			pl.Url = &u
		}
		if l.Maintainer != "" {
			m := l.Maintainer
			pl.Maintainer = &m
		}
		out.Licenses = append(out.Licenses, pl)
	}
	for _, f := range domain.Frequencies() {
		out.Frequencies = append(out.Frequencies, &catalogv1.Label{Id: f.ID, Label: f.Label})
	}
	for _, l := range domain.ResourceTypes() {
		out.ResourceTypes = append(out.ResourceTypes, &catalogv1.Label{Id: l.ID, Label: l.Label})
	}
	for _, l := range domain.OrganizationRoles() {
		out.OrganizationRoles = append(out.OrganizationRoles, &catalogv1.Label{Id: l.ID, Label: l.Label})
	}
	for _, l := range domain.ReuseTypes {
		out.ReuseTypes = append(out.ReuseTypes, &catalogv1.Label{Id: l.ID, Label: l.Label})
	}
	for _, l := range domain.ReuseTopics {
		out.ReuseTopics = append(out.ReuseTopics, &catalogv1.Label{Id: l.ID, Label: l.Label})
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SiteMetrics counts listed datasets, live organizations, resources and
// users.
func (s *Service) SiteMetrics(ctx context.Context) (*catalogv1.SiteMetrics, error) {
	m := &catalogv1.SiteMetrics{}
	n, err := s.store.CountDatasetsCached(ctx, store.DatasetFilter{})
	if err != nil {
		return nil, err
	}
	m.Datasets = n
	counts, err := s.store.SiteCounts(ctx)
	if err != nil {
		return nil, err
	}
	m.Organizations, m.Resources, m.Users = counts.Organizations, counts.Resources, counts.Users
	if m.Reuses, m.Followers, err = s.store.ReuseSiteCounts(ctx); err != nil {
		return nil, err
	}
	return m, nil
}
