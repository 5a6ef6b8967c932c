package ledger_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/search/internal/ledger"
)

func TestLedger(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		require.NoError(t, ledger.Migrate(ctx, db))
		require.NoError(t, ledger.Migrate(ctx, db), "migrating twice")
		l := ledger.New(db)
		empty, err := l.Empty(ctx)
		require.NoError(t, err)
		assert.True(t, empty, "new ledger")
		require.NoError(t, l.Put(ctx, []ledger.Entry{
			{Kind: ledger.Dataset, ID: "a", Version: 10, Indexed: true},
			{Kind: ledger.Dataset, ID: "b", Version: 20, Indexed: false},
			{Kind: ledger.Organization, ID: "a", Version: 5, Indexed: true},
		}))
		empty, err = l.Empty(ctx)
		require.NoError(t, err)
		assert.False(t, empty)
		require.NoError(t, l.Put(ctx, []ledger.Entry{{Kind: ledger.Dataset, ID: "a", Version: 11, Indexed: true}}))
		got, err := l.Get(ctx, ledger.Dataset, []string{"a", "b", "c"})
		require.NoError(t, err)
		assert.Equal(t, map[string]ledger.Entry{
			"a": {Kind: ledger.Dataset, ID: "a", Version: 11, Indexed: true},
			"b": {Kind: ledger.Dataset, ID: "b", Version: 20, Indexed: false},
		}, got)
		all, err := l.All(ctx, ledger.Organization)
		require.NoError(t, err)
		assert.Len(t, all, 1)

		many := make([]string, 1200)
		for i := range many {
			many[i] = "x"
		}
		got, err = l.Get(ctx, ledger.Dataset, append(many, "a"))
		require.NoError(t, err)
		assert.Len(t, got, 1)
	})
}

func TestNewer(t *testing.T) {
	old := ledger.Entry{Version: 10, Indexed: true}
	assert.True(t, ledger.Entry{Version: 11, Indexed: true}.Newer(old, true))
	assert.False(t, ledger.Entry{Version: 10, Indexed: true}.Newer(old, true), "a replay")
	assert.False(t, ledger.Entry{Version: 9, Indexed: false}.Newer(old, true), "an older deletion")
	assert.True(t, ledger.Entry{Version: 10, Indexed: false}.Newer(old, true), "the deletion of the last version")
	assert.False(t, ledger.Entry{Version: 10, Indexed: true}.Newer(ledger.Entry{Version: 10}, true), "the snapshot before a deletion")
	assert.True(t, ledger.Entry{Version: 1}.Newer(ledger.Entry{}, false))
}
