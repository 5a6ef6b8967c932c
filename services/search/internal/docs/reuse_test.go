package docs

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"

	"github.com/relais-data/relais/pkg/searchindex"
)

func fullReuse() *catalogv1.Reuse {
	return &catalogv1.Reuse{
		Id: "6a0b9a0e8b4c4155ab4a4a70", Title: "Carte des délibérations", Description: "Une carte interactive.",
		Type: "application", Topic: "territory_and_cities", Tags: []string{"carte", "conseil"}, Featured: true,
		Badges:       []*catalogv1.Badge{{Kind: "featured"}},
		Organization: &catalogv1.OrganizationRef{Id: "534fff75a3a7292c64a77de4", Name: "Ville de Rennes", Badges: []*catalogv1.Badge{{Kind: "local-authority"}}},
		Owner:        &catalogv1.UserRef{Id: "u1"},
		DatasetIds:   []string{"d1", "d2"},
		Metrics:      &catalogv1.ReuseMetrics{Followers: 3, Views: 40},
		CreatedAt:    timestamppb.New(time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)),
		LastModified: timestamppb.New(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)),
	}
}

func TestReuse(t *testing.T) {
	doc, ok := Reuse(fullReuse())
	require.True(t, ok)
	assert.Equal(t, map[string]any{
		FieldTitle: "Carte des délibérations", FieldDescription: "Une carte interactive.",
		FieldTags: []string{"carte", "conseil"}, FieldTag: []string{"carte", "conseil"},
		FieldType: "application", FieldTopic: "territory_and_cities", FieldFeatured: true, FieldArchived: false,
		FieldBadge: []string{"featured"}, FieldDataset: []string{"d1", "d2"}, FieldDatasets: int64(2),
		FieldFollowers: int64(3), FieldViews: int64(40),
		FieldOrganization: "534fff75a3a7292c64a77de4", FieldOrganizationName: []string{"Ville de Rennes"},
		FieldOrganizationBadge: []string{"local-authority"}, FieldOwner: "u1", FieldProducerType: []string{LocalAuthority},
		FieldCreated:    time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC),
		FieldLastUpdate: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	}, doc.Fields)
}

// Private, deleted and dataset-less reuses are not searchable (udata's
// is_indexable); archived ones are, flagged.
func TestReuseNotSearchable(t *testing.T) {
	for name, change := range map[string]func(*catalogv1.Reuse){
		"private":    func(u *catalogv1.Reuse) { u.Private = true },
		"deleted":    func(u *catalogv1.Reuse) { u.Deleted = timestamppb.Now() },
		"no dataset": func(u *catalogv1.Reuse) { u.DatasetIds = nil },
		"no id":      func(u *catalogv1.Reuse) { u.Id = "" },
	} {
		u := fullReuse()
		change(u)
		_, ok := Reuse(u)
		assert.False(t, ok, name)
	}
	_, ok := Reuse(nil)
	assert.False(t, ok)
	u := fullReuse()
	u.Archived = timestamppb.Now()
	doc, ok := Reuse(u)
	require.True(t, ok)
	assert.Equal(t, true, doc.Fields[FieldArchived])
}

// The schema holds in a real embedded index: every filter, facet and sort
// the gateway asks for is accepted.
func TestReuseSchemaIndexes(t *testing.T) {
	ctx := context.Background()
	idx, err := searchindex.OpenEmbedded(t.TempDir()+"/reuses", ReuseSchema())
	require.NoError(t, err)
	defer idx.Close()
	doc, _ := Reuse(fullReuse())
	require.NoError(t, idx.Upsert(ctx, doc))
	res, err := idx.Search(ctx, searchindex.Query{
		Text:    "deliberation",
		Filters: map[string][]string{FieldType: {"application"}, FieldFeatured: {"true"}, FieldArchived: {"false"}},
		Facets:  ReuseSchema().Facets, Sort: "-" + FieldDatasets,
	})
	require.NoError(t, err)
	require.Equal(t, 1, res.Total)
	assert.Equal(t, doc.ID, res.Hits[0].ID)
	assert.Equal(t, []searchindex.FacetValue{{Name: "application", Count: 1}}, res.Facets[FieldType])
}
