package indexer

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/search/internal/docs"
	"github.com/relais-data/relais/services/search/internal/ledger"
)

// newIndexer opens real embedded indexes and a real SQLite ledger; it has
// no catalog (the tests here send complete snapshots).
func newIndexer(t testing.TB) (*Indexer, searchindex.Index) {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.Open(t, "sqlite")
	require.NoError(t, ledger.Migrate(ctx, db))
	dir := t.TempDir()
	ds, err := searchindex.OpenEmbedded(dir+"/datasets", docs.DatasetSchema())
	require.NoError(t, err)
	orgs, err := searchindex.OpenEmbedded(dir+"/organizations", docs.OrganizationSchema())
	require.NoError(t, err)
	reuses, err := searchindex.OpenEmbedded(dir+"/reuses", docs.ReuseSchema())
	require.NoError(t, err)
	t.Cleanup(func() { _ = ds.Close(); _ = orgs.Close(); _ = reuses.Close() })
	return New(ledger.New(db), ds, orgs, reuses, nil, slog.New(slog.DiscardHandler)), ds
}

func dataset(id, title string, modified int) *catalogv1.Dataset {
	return &catalogv1.Dataset{
		Id: id, Title: title, License: "lov2",
		CreatedAtInternal:    timestamppb.New(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)),
		LastModifiedInternal: timestamppb.New(time.Date(2024, 1, 1, 0, 0, modified, 0, time.UTC)),
	}
}

func event(t *testing.T, verb string, d *catalogv1.Dataset) events.Message {
	b, err := proto.Marshal(&eventsv1.DatasetChanged{Dataset: d})
	require.NoError(t, err)
	return events.Message{ID: events.NewID(), Subject: "relais.catalog.dataset." + verb, Type: "relais.events.v1.DatasetChanged", Data: b}
}

func find(t *testing.T, idx searchindex.Index, text string) []string {
	t.Helper()
	res, err := idx.Search(context.Background(), searchindex.Query{Text: text})
	require.NoError(t, err)
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// Replays and out-of-order redeliveries never bring an older snapshot back.
func TestEventsOutOfOrder(t *testing.T) {
	ctx := context.Background()
	x, idx := newIndexer(t)
	created := event(t, "created", dataset("a", "Budget primitif", 1))
	updated := event(t, "updated", dataset("a", "Délibérations du conseil", 2))
	require.NoError(t, x.HandleEvents(ctx, []events.Message{created, updated}))
	assert.Equal(t, []string{"a"}, find(t, idx, "délibérations"))
	assert.Empty(t, find(t, idx, "budget"))

	// The creation redelivered, alone and in a batch after the update.
	require.NoError(t, x.HandleEvents(ctx, []events.Message{created}))
	require.NoError(t, x.HandleEvents(ctx, []events.Message{updated, created}))
	assert.Equal(t, []string{"a"}, find(t, idx, "délibérations"))
	assert.Empty(t, find(t, idx, "budget"))

	// Deleted, then the update replayed: stays deleted.
	deleted := event(t, "deleted", dataset("a", "Délibérations du conseil", 2))
	require.NoError(t, x.HandleEvents(ctx, []events.Message{deleted}))
	require.NoError(t, x.HandleEvents(ctx, []events.Message{updated}))
	assert.Empty(t, find(t, idx, "délibérations"))

	// Restored later (a newer version): back.
	require.NoError(t, x.HandleEvents(ctx, []events.Message{event(t, "updated", dataset("a", "Délibérations", 3))}))
	assert.Equal(t, []string{"a"}, find(t, idx, "délibérations"))

	// Made private: out of search.
	private := dataset("a", "Délibérations", 4)
	private.Private = true
	require.NoError(t, x.HandleEvents(ctx, []events.Message{event(t, "updated", private)}))
	assert.Empty(t, find(t, idx, "délibérations"))

	// Garbage and other subjects are skipped, not retried.
	require.NoError(t, x.HandleEvents(ctx, []events.Message{
		{ID: "x", Subject: "relais.catalog.dataset.updated", Data: []byte{0xff, 0x01}},
		{ID: "y", Subject: "relais.catalog.resource.updated", Data: nil},
	}))
}

// Changes applied while a rebuild runs reach the rebuilt index too.
func TestApplyDuringRebuild(t *testing.T) {
	ctx := context.Background()
	x, idx := newIndexer(t)
	require.NoError(t, x.HandleEvents(ctx, []events.Message{event(t, "created", dataset("a", "Budget", 1))}))

	rb, err := idx.Rebuild(ctx)
	require.NoError(t, err)
	r := newRebuild(rb)
	x.rebuilds[ledger.Dataset] = r
	require.NoError(t, x.fill(ctx, r, ledger.Dataset, []Change{DatasetChange(dataset("a", "Budget", 1))}))
	require.NoError(t, x.HandleEvents(ctx, []events.Message{event(t, "created", dataset("b", "Élections", 1))}))
	// A page read before an event that changed a: the event wins.
	require.NoError(t, x.HandleEvents(ctx, []events.Message{event(t, "updated", dataset("a", "Subventions", 2))}))
	require.NoError(t, x.fill(ctx, r, ledger.Dataset, []Change{DatasetChange(dataset("a", "Budget", 1))}))
	assert.Equal(t, []string{"b"}, find(t, idx, "élections"), "the live index answers")
	require.NoError(t, rb.Swap(ctx))
	delete(x.rebuilds, ledger.Dataset)
	assert.Equal(t, []string{"b"}, find(t, idx, "élections"))
	assert.Equal(t, []string{"a"}, find(t, idx, "subventions"))
	assert.Empty(t, find(t, idx, "budget"))
}
