package indexer

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/search/internal/ledger"
)

func reuse(id, title string, modified int) *catalogv1.Reuse {
	return &catalogv1.Reuse{
		Id: id, Title: title, Type: "application", DatasetIds: []string{"d1"},
		CreatedAt:    timestamppb.New(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)),
		LastModified: timestamppb.New(time.Date(2024, 1, 1, 0, 0, modified, 0, time.UTC)),
	}
}

func reuseEvent(t *testing.T, verb string, u *catalogv1.Reuse) events.Message {
	b, err := proto.Marshal(&eventsv1.ReuseChanged{Reuse: u})
	require.NoError(t, err)
	return events.Message{ID: events.NewID(), Subject: "relais.catalog.reuse." + verb, Type: "relais.events.v1.ReuseChanged", Data: b}
}

// Reuse events follow the datasets' guarantees: replays and late
// redeliveries never bring an older snapshot back; private, deleted and
// dataset-less reuses leave the index.
func TestReuseEvents(t *testing.T) {
	ctx := context.Background()
	x, _ := newIndexer(t)
	idx := x.indexes[ledger.Reuse]
	created := reuseEvent(t, "created", reuse("r", "Carte des budgets", 1))
	updated := reuseEvent(t, "updated", reuse("r", "Carte des délibérations", 2))
	require.NoError(t, x.HandleEvents(ctx, []events.Message{created, updated}))
	assert.Equal(t, []string{"r"}, find(t, idx, "délibérations"))
	assert.Empty(t, find(t, idx, "budgets"))

	require.NoError(t, x.HandleEvents(ctx, []events.Message{updated, created}))
	assert.Equal(t, []string{"r"}, find(t, idx, "délibérations"))
	assert.Empty(t, find(t, idx, "budgets"))

	// No dataset linked any more: out (udata's is_indexable).
	bare := reuse("r", "Carte des délibérations", 3)
	bare.DatasetIds = nil
	require.NoError(t, x.HandleEvents(ctx, []events.Message{reuseEvent(t, "updated", bare)}))
	assert.Empty(t, find(t, idx, "délibérations"))

	require.NoError(t, x.HandleEvents(ctx, []events.Message{reuseEvent(t, "updated", reuse("r", "Carte des délibérations", 4))}))
	assert.Equal(t, []string{"r"}, find(t, idx, "délibérations"))

	private := reuse("r", "Carte des délibérations", 5)
	private.Private = true
	require.NoError(t, x.HandleEvents(ctx, []events.Message{reuseEvent(t, "updated", private)}))
	assert.Empty(t, find(t, idx, "délibérations"))

	// Deleted (the snapshot before the deletion), then an older update
	// replayed: stays deleted.
	require.NoError(t, x.HandleEvents(ctx, []events.Message{reuseEvent(t, "updated", reuse("r", "Carte", 6))}))
	assert.Equal(t, []string{"r"}, find(t, idx, "carte"))
	require.NoError(t, x.HandleEvents(ctx, []events.Message{reuseEvent(t, "deleted", reuse("r", "Carte", 6))}))
	require.NoError(t, x.HandleEvents(ctx, []events.Message{updated}))
	assert.Empty(t, find(t, idx, "carte"))

	all, err := x.ledger.All(ctx, ledger.Reuse)
	require.NoError(t, err)
	assert.Equal(t, ledger.Entry{Kind: ledger.Reuse, ID: "r", Version: micros(timestamppb.New(time.Date(2024, 1, 1, 0, 0, 6, 0, time.UTC))), Indexed: false}, all["r"])

	// Garbage on the reuse subject is skipped, not retried.
	require.NoError(t, x.HandleEvents(ctx, []events.Message{{ID: "x", Subject: "relais.catalog.reuse.created", Data: []byte{0xff}}}))
}
