package docs

import (
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"

	"github.com/relais-data/relais/pkg/searchindex"
)

// Field names of reuse documents besides those datasets and organizations
// share (title, description, tags, tag, organization, owner, badge,
// organization_badge, producer_type, featured, created, datasets,
// followers, views). Filter and facet names are udata's query parameters
// of /api/2/reuses/search/.
const (
	FieldType     = "type"
	FieldTopic    = "topic"
	FieldArchived = "archived"
	// FieldDataset holds the linked datasets' ids.
	FieldDataset = "dataset"
)

// ReuseSchema is the schema of the reuse index: title above tags above the
// organization's name and the description (udata weighed title^4,
// description^2); udata's filters of /api/2/reuses/search/ as filters and
// facets; its sorts (created, datasets, followers, views). Featured reuses
// rank higher, as udata's BoolBooster('featured', 1.1) did.
func ReuseSchema() searchindex.Schema {
	return searchindex.Schema{
		Searchable: []searchindex.Field{
			{Name: FieldTitle, Boost: 8},
			{Name: FieldTags, Boost: 4},
			{Name: FieldOrganizationName, Boost: 2},
			{Name: FieldDescription, Boost: 2, NoTypos: true},
		},
		Filterable: []string{
			FieldTag, FieldOrganization, FieldOrganizationBadge, FieldOwner, FieldType, FieldTopic,
			FieldBadge, FieldFeatured, FieldProducerType, FieldArchived, FieldDataset,
		},
		Facets: []string{
			FieldTag, FieldOrganization, FieldOrganizationBadge, FieldOwner, FieldType, FieldTopic,
			FieldBadge, FieldFeatured, FieldProducerType,
		},
		// last_update is the reuse's last modification: udata's
		// last_update_range filters reuses on it.
		Sortable: []string{FieldCreated, FieldLastUpdate, FieldDatasets, FieldFollowers, FieldViews},
		Boosts: []searchindex.Boost{
			{Field: FieldFeatured, Value: "true", Factor: ReuseFeaturedBoost},
		},
	}
}

// ReuseFeaturedBoost multiplies the relevance of featured reuses (udata's
// reuse booster).
const ReuseFeaturedBoost = 1.1

// Reuse maps a catalog reuse to its search document. It returns false when
// the reuse must not be found by search: private or deleted ones, and
// those linking no dataset, as udata's ReuseSearch.is_indexable says.
// Archived reuses stay searchable (udata filters them with archived=).
func Reuse(u *catalogv1.Reuse) (searchindex.Document, bool) {
	if u == nil || u.GetId() == "" || u.GetPrivate() || u.GetDeleted() != nil || len(u.GetDatasetIds()) == 0 {
		return searchindex.Document{}, false
	}
	m := u.GetMetrics()
	f := map[string]any{
		FieldTitle:       u.GetTitle(),
		FieldDescription: u.GetDescription(),
		FieldTags:        u.GetTags(),
		FieldTag:         u.GetTags(),
		FieldType:        u.GetType(),
		FieldFeatured:    u.GetFeatured(),
		FieldArchived:    u.GetArchived() != nil,
		FieldBadge:       badgeKinds(u.GetBadges()),
		FieldDataset:     u.GetDatasetIds(),
		FieldDatasets:    int64(len(u.GetDatasetIds())),
		FieldFollowers:   m.GetFollowers(),
		FieldViews:       m.GetViews(),
	}
	if t := u.GetTopic(); t != "" {
		f[FieldTopic] = t
	}
	if org := u.GetOrganization(); org != nil && org.GetId() != "" {
		f[FieldOrganization] = org.GetId()
		names := []string{org.GetName()}
		if a := org.GetAcronym(); a != "" {
			names = append(names, a)
		}
		f[FieldOrganizationName] = names
		f[FieldOrganizationBadge] = badgeKinds(org.GetBadges())
	}
	if owner := u.GetOwner(); owner != nil && owner.GetId() != "" {
		f[FieldOwner] = owner.GetId()
	}
	f[FieldProducerType] = producerTypes(u.GetOrganization(), u.GetOwner())
	if t := timeOf(u.GetCreatedAt()); !t.IsZero() {
		f[FieldCreated] = t
	}
	if t := timeOf(u.GetLastModified()); !t.IsZero() {
		f[FieldLastUpdate] = t
	}
	return searchindex.Document{ID: u.GetId(), Fields: f}, true
}
