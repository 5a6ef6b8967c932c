package docs

import (
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"

	"github.com/relais-data/relais/pkg/searchindex"
)

// Field names of organization documents besides those datasets share
// (acronym, description, badge, producer_type, created, followers, views,
// reuses).
const (
	FieldName     = "name"
	FieldDatasets = "datasets"
)

// OrganizationSchema is the schema of the organization index: name above
// acronym above description; udata's badge and producer_type filters; its
// sorts of /api/2/organizations/search/. Public services rank first, as in
// udata-search-service.
func OrganizationSchema() searchindex.Schema {
	return searchindex.Schema{
		Searchable: []searchindex.Field{
			{Name: FieldName, Boost: 8},
			{Name: FieldAcronym, Boost: 6},
			{Name: FieldDescription, Boost: 1, NoTypos: true},
		},
		Filterable: []string{FieldBadge, FieldProducerType},
		Facets:     []string{FieldBadge, FieldProducerType},
		Sortable:   []string{FieldCreated, FieldDatasets, FieldFollowers, FieldViews, FieldReuses},
		Boosts: []searchindex.Boost{
			{Field: FieldProducerType, Value: PublicService, Factor: PublicServiceBoost},
		},
	}
}

// FieldOrganization maps a catalog organization to its search document; false
// when it is deleted.
func Organization(o *catalogv1.Organization) (searchindex.Document, bool) {
	if o == nil || o.GetId() == "" || o.GetDeleted() != nil {
		return searchindex.Document{}, false
	}
	m := o.GetMetrics()
	f := map[string]any{
		FieldName:         o.GetName(),
		FieldDescription:  o.GetDescription(),
		FieldBadge:        badgeKinds(o.GetBadges()),
		FieldProducerType: organizationProducerTypes(o.GetBadges()),
		FieldDatasets:     m.GetDatasets(),
		FieldFollowers:    m.GetFollowers(),
		FieldViews:        m.GetViews(),
		FieldReuses:       m.GetReuses(),
	}
	if a := o.GetAcronym(); a != "" {
		f[FieldAcronym] = a
	}
	if t := timeOf(o.GetCreatedAt()); !t.IsZero() {
		f[FieldCreated] = t
	}
	return searchindex.Document{ID: o.GetId(), Fields: f}, true
}
