package docs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"

	"github.com/relais-data/relais/pkg/searchindex"
)

func ptr[T any](v T) *T { return &v }

func fullDataset() *catalogv1.Dataset {
	return &catalogv1.Dataset{
		Id:          "5d0b9a0e8b4c4155ab4a4a6f",
		Title:       "Délibérations du conseil municipal",
		Acronym:     ptr("DCM"),
		Description: "Procès-verbaux des séances.",
		Tags:        []string{"conseil", "democratie"},
		License:     "lov2",
		Featured:    true,
		AccessType:  "open",
		Badges:      []*catalogv1.Badge{{Kind: "hvd"}},
		Organization: &catalogv1.OrganizationRef{
			Id: "534fff75a3a7292c64a77de4", Name: "Ville de Rennes", Acronym: ptr("VdR"),
			Badges: []*catalogv1.Badge{{Kind: "certified"}, {Kind: "local-authority"}, {Kind: "public-service"}},
		},
		Owner: &catalogv1.UserRef{Id: "u1"},
		Resources: []*catalogv1.Resource{
			{Format: "CSV", Schema: &catalogv1.Schema{Name: ptr("etalab/schema-deliberations")}},
			{Format: "csv"},
			{Format: "pdf"},
			{Format: "ogc:wms"},
			{Format: "bizarre"},
		},
		Spatial:              &catalogv1.Spatial{Granularity: "fr:commune", Zones: []string{"fr:commune:35238"}},
		TemporalCoverage:     &catalogv1.TemporalCoverage{Start: "2019-01-01", End: "2019-12-31"},
		CreatedAtInternal:    timestamppb.New(time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)),
		LastModifiedInternal: timestamppb.New(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)),
		LastUpdate:           timestamppb.New(time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)),
		Metrics:              &catalogv1.DatasetMetrics{Views: 140, ResourcesDownloads: 9, Reuses: 2, Followers: 5},
	}
}

func TestDataset(t *testing.T) {
	doc, ok := Dataset(fullDataset())
	require.True(t, ok)
	assert.Equal(t, "5d0b9a0e8b4c4155ab4a4a6f", doc.ID)
	want := map[string]any{
		FieldTitle:                 "Délibérations du conseil municipal",
		FieldAcronym:               "DCM",
		FieldDescription:           "Procès-verbaux des séances.",
		FieldTags:                  []string{"conseil", "democratie"},
		FieldTag:                   []string{"conseil", "democratie"},
		FieldLicense:               "lov2",
		FieldFeatured:              true,
		FieldAccessType:            "open",
		FieldBadge:                 []string{"hvd"},
		FieldOrganization:          "534fff75a3a7292c64a77de4",
		FieldOrganizationName:      []string{"Ville de Rennes", "VdR"},
		FieldOrganizationBadge:     []string{"certified", "local-authority", "public-service"},
		FieldOwner:                 "u1",
		FieldProducerType:          []string{PublicService, LocalAuthority},
		FieldFormat:                []string{"csv", "pdf", "ogc:wms", "bizarre"},
		FieldFormatFamily:          []string{Tabular, Documents, Geographical, OtherFormats},
		FieldSchema:                []string{"etalab/schema-deliberations"},
		FieldGranularity:           "fr:commune",
		FieldGeozone:               []string{"fr:commune:35238"},
		FieldCreated:               time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC),
		FieldLastUpdate:            time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC),
		FieldTemporalCoverageStart: "2019-01-01",
		FieldTemporalCoverageEnd:   "2019-12-31",
		FieldReuses:                int64(2),
		FieldFollowers:             int64(5),
		FieldViews:                 int64(140),
	}
	assert.Equal(t, want, doc.Fields)
}

func TestDatasetNotSearchable(t *testing.T) {
	now := timestamppb.Now()
	for name, change := range map[string]func(d *catalogv1.Dataset){
		"private":  func(d *catalogv1.Dataset) { d.Private = true },
		"deleted":  func(d *catalogv1.Dataset) { d.Deleted = now },
		"archived": func(d *catalogv1.Dataset) { d.Archived = now },
		"no id":    func(d *catalogv1.Dataset) { d.Id = "" },
	} {
		t.Run(name, func(t *testing.T) {
			d := fullDataset()
			change(d)
			_, ok := Dataset(d)
			assert.False(t, ok)
		})
	}
	_, ok := Dataset(nil)
	assert.False(t, ok)
}

func TestDatasetMinimal(t *testing.T) {
	doc, ok := Dataset(&catalogv1.Dataset{
		Id: "a", Title: "Budget", LastModifiedInternal: timestamppb.New(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)),
		TemporalCoverage: &catalogv1.TemporalCoverage{Start: "2020", End: ""},
	})
	require.True(t, ok)
	assert.Equal(t, []string{NotSpecified}, doc.Fields[FieldProducerType])
	assert.Equal(t, "open", doc.Fields[FieldAccessType])
	assert.Equal(t, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), doc.Fields[FieldLastUpdate], "last_modified stands in for last_update")
	for _, absent := range []string{FieldAcronym, FieldOrganization, FieldOrganizationName, FieldOwner, FieldCreated, FieldGranularity, FieldTemporalCoverageStart, FieldTemporalCoverageEnd} {
		assert.NotContains(t, doc.Fields, absent)
	}
	assert.Empty(t, doc.Fields[FieldFormat])
	assert.Empty(t, doc.Fields[FieldFormatFamily])
}

func TestProducerTypes(t *testing.T) {
	org := func(kinds ...string) *catalogv1.OrganizationRef {
		o := &catalogv1.OrganizationRef{Id: "o"}
		for _, k := range kinds {
			o.Badges = append(o.Badges, &catalogv1.Badge{Kind: k})
		}
		return o
	}
	assert.Equal(t, []string{User}, producerTypes(nil, &catalogv1.UserRef{Id: "u"}))
	assert.Equal(t, []string{NotSpecified}, producerTypes(nil, nil))
	assert.Equal(t, []string{NotSpecified}, producerTypes(org("certified"), nil))
	assert.Equal(t, []string{Association}, producerTypes(org("association"), &catalogv1.UserRef{Id: "u"}))
	assert.Equal(t, []string{Company}, producerTypes(org("company"), nil))
	assert.Equal(t, []string{LocalAuthority}, producerTypes(org("local-authority"), nil))
}

func TestFormatFamilyOf(t *testing.T) {
	for format, family := range map[string]string{
		"CSV": Tabular, " xlsx ": Tabular, "parquet": Tabular,
		"json": MachineReadable, "xml": MachineReadable, "gtfs-rt": MachineReadable,
		"shp": Geographical, "esri shapefile (shp)": Geographical, "geojson": Geographical,
		"ogc:wfs-1.0.0-http-get-capabilities": Geographical, "wms": Geographical,
		"pdf": Documents, "docx": Documents, "web page": Documents,
		"zip": OtherFormats, "": OtherFormats, "ogc:sos": OtherFormats,
	} {
		assert.Equal(t, family, FormatFamilyOf(format), format)
	}
	assert.Equal(t, []string{Tabular, Documents}, FormatFamilies([]string{"csv", "xls", "pdf", "odt"}))
}

func TestOrganization(t *testing.T) {
	o := &catalogv1.Organization{
		Id: "534fff75a3a7292c64a77de4", Name: "Ministère de l'Intérieur", Acronym: ptr("MI"),
		Description: "Élections.", Badges: []*catalogv1.Badge{{Kind: "public-service"}, {Kind: "certified"}},
		CreatedAt: timestamppb.New(time.Date(2014, 4, 17, 0, 0, 0, 0, time.UTC)),
		Metrics:   &catalogv1.OrganizationMetrics{Datasets: 12, Followers: 3, Views: 100, Reuses: 2},
	}
	doc, ok := Organization(o)
	require.True(t, ok)
	assert.Equal(t, map[string]any{
		FieldName: "Ministère de l'Intérieur", FieldAcronym: "MI", FieldDescription: "Élections.",
		FieldBadge: []string{"public-service", "certified"}, FieldProducerType: []string{PublicService},
		FieldDatasets: int64(12), FieldFollowers: int64(3), FieldViews: int64(100), FieldReuses: int64(2),
		FieldCreated: time.Date(2014, 4, 17, 0, 0, 0, 0, time.UTC),
	}, doc.Fields)

	o.Deleted = timestamppb.Now()
	_, ok = Organization(o)
	assert.False(t, ok)
	_, ok = Organization(nil)
	assert.False(t, ok)
}

// TestSchemasOpen checks that both schemas are accepted by the embedded
// backend and that every field a document carries is one the schema uses.
func TestSchemasOpen(t *testing.T) {
	for name, c := range map[string]struct {
		schema searchindex.Schema
		doc    searchindex.Document
	}{
		"dataset":      {DatasetSchema(), must(Dataset(fullDataset()))},
		"organization": {OrganizationSchema(), must(Organization(&catalogv1.Organization{Id: "o", Name: "Org", Acronym: ptr("O")}))},
	} {
		t.Run(name, func(t *testing.T) {
			used := map[string]bool{}
			for _, f := range c.schema.Searchable {
				used[f.Name] = true
			}
			for _, list := range [][]string{c.schema.Filterable, c.schema.Facets, c.schema.Sortable} {
				for _, f := range list {
					used[f] = true
				}
			}
			for field := range c.doc.Fields {
				assert.True(t, used[field], "field %s is in no list of the schema", field)
			}
			idx, err := searchindex.OpenEmbedded(t.TempDir()+"/index", c.schema)
			require.NoError(t, err)
			defer idx.Close()
			require.NoError(t, idx.Upsert(t.Context(), c.doc))
			n, err := idx.Count(t.Context())
			require.NoError(t, err)
			assert.Equal(t, 1, n)
		})
	}
}

func must(doc searchindex.Document, ok bool) searchindex.Document {
	if !ok {
		panic("document not searchable")
	}
	return doc
}
