package grpcapi

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
)

func TestIndexQuery(t *testing.T) {
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	q, err := indexQuery(&searchv1.Query{
		Q: "budget", Sort: "-created", Page: 2, PageSize: 5,
		Filters: []*searchv1.Filter{
			{Field: "tag", Values: []string{"a", "b"}},
			{Field: "organization", Values: []string{"o"}},
			{Field: "license"}, // no value: no filter
			{Field: "last_update_range", Values: []string{"last_30_days"}},
			{Field: "temporal_coverage", Values: []string{"2020-01-01-2020-12-31"}},
		},
		Facets: []string{"tag", "last_update_range"},
	}, now)
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{"tag": {"a", "b"}, "organization": {"o"}}, q.Filters)
	assert.Equal(t, searchindex.Range{From: now.AddDate(0, 0, -30)}, q.Ranges["last_update"])
	assert.Equal(t, searchindex.Range{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, q.Ranges["temporal_coverage_start"])
	assert.Equal(t, searchindex.Range{To: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}, q.Ranges["temporal_coverage_end"])
	assert.Equal(t, []string{"tag"}, q.Facets)
	require.Contains(t, q.RangeFacets, "last_update_range")
	assert.Len(t, q.RangeFacets["last_update_range"].Buckets, 3)
	assert.Equal(t, 2, q.Page)
	assert.Equal(t, "-created", q.Sort)

	// An unknown range value finds nothing rather than failing.
	q, err = indexQuery(&searchv1.Query{Filters: []*searchv1.Filter{{Field: "last_update_range", Values: []string{"yesterday"}}}}, now)
	require.NoError(t, err)
	assert.Equal(t, nothing, q.Ranges["last_update"])

	for _, bad := range []string{"2020", "2020-01-01", "2021-01-01-2020-01-01", "2020-02-30-2020-03-01", "2020-01-01_2020-02-01"} {
		_, err := indexQuery(&searchv1.Query{Filters: []*searchv1.Filter{{Field: "temporal_coverage", Values: []string{bad}}}}, now)
		assert.True(t, errors.Is(err, searchindex.ErrInvalidQuery), bad)
	}
}

func TestFold(t *testing.T) {
	assert.Equal(t, "deliberations", fold("Délibérations"))
	assert.Equal(t, "oeuvre d'art", fold("oeuvre d'Art"))
	assert.Equal(t, "ecole", fold("ÉCOLE"))
}
