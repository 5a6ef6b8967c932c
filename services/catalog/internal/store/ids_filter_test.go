package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// The ids filter (a page of search hits read at once) narrows lists and
// their cached counts, which it must not share with the unfiltered list.
func TestDatasetIDsFilter(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		org := domain.NewObjectID(base)
		d1, d2, d3 := dataset(1, org), dataset(2, org), dataset(3, org)
		d3.Deleted = timestamppb.New(base)
		insert(t, s, d1, d2, d3)

		f := store.DatasetFilter{IDs: []string{d2.Id, d3.Id, "5f0000000000000000000000"}}
		ds, err := s.ListDatasets(ctx, f, store.DatasetSort{Field: "created"}, 20, 0)
		require.NoError(t, err)
		require.Len(t, ds, 1, "the other filters (here: listed) still apply")
		require.Equal(t, d2.Id, ds[0].GetId())
		n, err := s.CountDatasetsCached(ctx, f)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		n, err = s.CountDatasetsCached(ctx, store.DatasetFilter{})
		require.NoError(t, err)
		require.EqualValues(t, 2, n)

		orgs, total, err := s.ListOrganizations(ctx, store.OrganizationFilter{IDs: []string{"5f0000000000000000000000"}}, "created_at", false, 20, 0)
		require.NoError(t, err)
		require.Empty(t, orgs)
		require.Zero(t, total)
	})
}
