package corpus

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/catalogexport"
	"github.com/relais-data/relais/pkg/searchindex"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/search/internal/docs"
)

func TestDataset(t *testing.T) {
	rec := catalogexport.Record{
		ID: "a1", Title: "Budget", Acronym: "BP", Organization: "Ville de Rennes", OrganizationID: "o1",
		License: "Licence Ouverte / Open Licence version 2.0", Featured: true,
		CreatedAt:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		LastModified: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC),
		Harvest:      map[string]string{"modified_at": "2022-05-06T07:08:09"},
		Granularity:  "fr:commune", Zones: []string{"Rennes"}, ResourcesFormats: []string{"csv", "pdf"},
		TemporalStart: "2020-01-01T00:00:00", TemporalEnd: "2020-12-31",
	}
	d := Dataset(rec)
	doc, ok := docs.Dataset(d)
	require.True(t, ok)
	f := doc.Fields
	assert.Equal(t, "BP", f[docs.FieldAcronym])
	assert.Equal(t, []string{"Ville de Rennes"}, f[docs.FieldOrganizationName])
	assert.Equal(t, []string{docs.LocalAuthority}, f[docs.FieldProducerType])
	assert.Equal(t, []string{"csv", "pdf"}, f[docs.FieldFormat])
	assert.Equal(t, []string{docs.Tabular, docs.Documents}, f[docs.FieldFormatFamily])
	assert.Equal(t, []string{"Rennes"}, f[docs.FieldGeozone])
	assert.Equal(t, time.Date(2022, 5, 6, 7, 8, 9, 0, time.UTC), f[docs.FieldLastUpdate], "the harvest date is the last update")
	assert.Equal(t, "2020-01-01", f[docs.FieldTemporalCoverageStart])

	rec.Archived = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	_, ok = docs.Dataset(Dataset(rec))
	assert.False(t, ok, "archived datasets are not searchable")
}

func TestCopiesAndIndex(t *testing.T) {
	base := []*catalogv1.Dataset{Dataset(catalogexport.Record{ID: "a", Title: "Radon"}), Dataset(catalogexport.Record{ID: "b", Title: "Budget", Archived: time.Now()})}
	all := Copies(base, 3)
	require.Len(t, all, 6)
	ids := map[string]bool{}
	for _, d := range all {
		ids[d.GetId()] = true
	}
	assert.Len(t, ids, 6, "every copy has its own id")
	assert.Equal(t, "a", all[0].GetId())

	idx, err := searchindex.OpenEmbedded(t.TempDir()+"/index", docs.DatasetSchema())
	require.NoError(t, err)
	defer idx.Close()
	n, err := Index(t.Context(), idx, all, 2)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "the archived copies are left out")
	res, err := idx.Search(t.Context(), searchindex.Query{Text: "radon"})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Total)
}
