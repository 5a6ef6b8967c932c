// Package docs turns catalog records into search documents: which fields
// are searched (and how much each weighs), which are filters, facets and
// sort keys, and which records are searchable at all. Every index backend
// and the relevance test set go through this one mapping.
package docs

import (
	"slices"
	"strings"
	"time"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/searchindex"
)

// Field names of dataset documents. Filter and facet names are udata's
// query parameters of /api/2/datasets/search/, so that the service passes
// them through unchanged.
const (
	FieldTitle            = "title"
	FieldAcronym          = "acronym"
	FieldTags             = "tags"
	FieldOrganizationName = "organization_name"
	FieldDescription      = "description"

	FieldOrganization      = "organization"
	FieldOwner             = "owner"
	FieldTag               = "tag"
	FieldLicense           = "license"
	FieldFormat            = "format"
	FieldFormatFamily      = "format_family"
	FieldGranularity       = "granularity"
	FieldGeozone           = "geozone"
	FieldSchema            = "schema"
	FieldFeatured          = "featured"
	FieldProducerType      = "producer_type"
	FieldBadge             = "badge"
	FieldOrganizationBadge = "organization_badge"
	FieldAccessType        = "access_type"

	FieldCreated               = "created"
	FieldLastUpdate            = "last_update"
	FieldReuses                = "reuses"
	FieldFollowers             = "followers"
	FieldViews                 = "views"
	FieldTemporalCoverageStart = "temporal_coverage_start"
	FieldTemporalCoverageEnd   = "temporal_coverage_end"
)

// DatasetSchema is the schema of the dataset index. Ranking weighs a word
// found in the title most, then the acronym, tags, the organization's name
// and the description (udata-search-service's order), and raises featured
// datasets and those of public-service producers as udata does.
func DatasetSchema() searchindex.Schema {
	return searchindex.Schema{
		Searchable: []searchindex.Field{
			{Name: FieldTitle, Boost: 8},
			{Name: FieldAcronym, Boost: 6},
			{Name: FieldTags, Boost: 4},
			{Name: FieldOrganizationName, Boost: 2},
			{Name: FieldDescription, Boost: 1, NoTypos: true},
		},
		Filterable: []string{
			FieldOrganization, FieldOrganizationName, FieldOwner, FieldTag, FieldLicense, FieldFormat, FieldFormatFamily,
			FieldGranularity, FieldGeozone, FieldSchema, FieldFeatured, FieldProducerType, FieldBadge, FieldOrganizationBadge, FieldAccessType,
		},
		Facets: []string{
			FieldOrganization, FieldTag, FieldLicense, FieldFormat, FieldFormatFamily, FieldGranularity, FieldGeozone,
			FieldSchema, FieldFeatured, FieldProducerType, FieldBadge, FieldOrganizationBadge, FieldAccessType,
		},
		Sortable: []string{
			FieldCreated, FieldLastUpdate, FieldReuses, FieldFollowers, FieldViews,
			FieldTemporalCoverageStart, FieldTemporalCoverageEnd,
		},
		Boosts: []searchindex.Boost{
			{Field: FieldFeatured, Value: "true", Factor: FeaturedBoost},
			{Field: FieldProducerType, Value: PublicService, Factor: PublicServiceBoost},
		},
	}
}

// FeaturedBoost and PublicServiceBoost multiply the relevance of featured
// datasets and of public-service producers' datasets: udata's search
// boosted featured datasets by 1.5 and certified producers by 1.2.
const (
	FeaturedBoost      = 1.5
	PublicServiceBoost = 1.2
)

// Dataset maps a catalog dataset to its search document. It returns false
// when the dataset must not be found by search: private, deleted or
// archived ones, as udata's DatasetSearch.is_indexable says.
func Dataset(d *catalogv1.Dataset) (searchindex.Document, bool) {
	if d == nil || d.GetId() == "" || d.GetPrivate() || d.GetDeleted() != nil || d.GetArchived() != nil {
		return searchindex.Document{}, false
	}
	f := map[string]any{
		FieldTitle:       d.GetTitle(),
		FieldDescription: d.GetDescription(),
		FieldTags:        d.GetTags(),
		FieldTag:         d.GetTags(),
		FieldLicense:     d.GetLicense(),
		FieldFeatured:    d.GetFeatured(),
		FieldAccessType:  orDefault(d.GetAccessType(), "open"),
		FieldBadge:       badgeKinds(d.GetBadges()),
		// The figures of the snapshot; metrics_changed events bring newer
		// ones (views, follows, reuse links change no dataset event).
		FieldReuses:    d.GetMetrics().GetReuses(),
		FieldFollowers: d.GetMetrics().GetFollowers(),
		FieldViews:     d.GetMetrics().GetViews(),
	}
	if a := d.GetAcronym(); a != "" {
		f[FieldAcronym] = a
	}
	if org := d.GetOrganization(); org != nil && org.GetId() != "" {
		f[FieldOrganization] = org.GetId()
		names := []string{org.GetName()}
		if a := org.GetAcronym(); a != "" {
			names = append(names, a)
		}
		f[FieldOrganizationName] = names
		f[FieldOrganizationBadge] = badgeKinds(org.GetBadges())
	}
	if owner := d.GetOwner(); owner != nil && owner.GetId() != "" {
		f[FieldOwner] = owner.GetId()
	}
	f[FieldProducerType] = producerTypes(d.GetOrganization(), d.GetOwner())

	var formats, schemas []string
	for _, r := range d.GetResources() {
		if fm := strings.ToLower(strings.TrimSpace(r.GetFormat())); fm != "" && !slices.Contains(formats, fm) {
			formats = append(formats, fm)
		}
		if name := r.GetSchema().GetName(); name != "" && !slices.Contains(schemas, name) {
			schemas = append(schemas, name)
		}
	}
	if name := d.GetSchema().GetName(); name != "" && !slices.Contains(schemas, name) {
		schemas = append(schemas, name)
	}
	f[FieldFormat] = formats
	f[FieldFormatFamily] = FormatFamilies(formats)
	f[FieldSchema] = schemas

	if sp := d.GetSpatial(); sp != nil {
		if g := sp.GetGranularity(); g != "" {
			f[FieldGranularity] = g
		}
		f[FieldGeozone] = sp.GetZones()
	}
	if t := timeOf(d.GetCreatedAtInternal()); !t.IsZero() {
		f[FieldCreated] = t
	}
	if t := lastUpdate(d); !t.IsZero() {
		f[FieldLastUpdate] = t
	}
	if tc := d.GetTemporalCoverage(); tc != nil {
		if isDate(tc.GetStart()) {
			f[FieldTemporalCoverageStart] = tc.GetStart()
		}
		if isDate(tc.GetEnd()) {
			f[FieldTemporalCoverageEnd] = tc.GetEnd()
		}
	}
	return searchindex.Document{ID: d.GetId(), Fields: f}, true
}

// lastUpdate is the dataset's last_update, computed by the catalog, or its
// last modification when the record carries none.
func lastUpdate(d *catalogv1.Dataset) time.Time {
	if t := timeOf(d.GetLastUpdate()); !t.IsZero() {
		return t
	}
	return timeOf(d.GetLastModifiedInternal())
}

// timeOf reads a timestamp; an unset or invalid one is the zero time.
func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil || ts.CheckValid() != nil {
		return time.Time{}
	}
	return ts.AsTime()
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func badgeKinds(badges []*catalogv1.Badge) []string {
	out := make([]string, 0, len(badges))
	for _, b := range badges {
		if k := b.GetKind(); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
