package indexer

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/searchindex"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/search/internal/corpus"
	"github.com/relais-data/relais/services/search/internal/ledger"
)

// Metrics events that cannot be read are skipped, not retried and not
// mistaken for dataset snapshots (their subjects match dataset.*). The
// indexer here has no catalog: a read would fail the batch.
func TestBadMetricsEventsSkipped(t *testing.T) {
	ctx := context.Background()
	x, idx := newIndexer(t)
	require.NoError(t, x.HandleEvents(ctx, []events.Message{event(t, "created", dataset("a", "Budget primitif", 1))}))
	unknown, err := proto.Marshal(&eventsv1.MetricsChanged{ObjectType: "user", Ids: []string{"a"}})
	require.NoError(t, err)
	require.NoError(t, x.HandleEvents(ctx, []events.Message{
		{ID: "x", Subject: "relais.catalog.dataset.metrics_changed", Data: []byte{0xff, 0x01}},
		{ID: "y", Subject: "relais.catalog.user.metrics_changed", Data: unknown},
	}))
	assert.Equal(t, []string{"a"}, find(t, idx, "budget"))
}

// Once figures changed, the catalog's current records replace the indexed
// ones although their version did not move, and sort by the new figures.
func TestFiguresApplyAtSameVersion(t *testing.T) {
	ctx := context.Background()
	x, idx := newIndexer(t)
	a, b := dataset("a", "Budget", 1), dataset("b", "Comptes", 1)
	require.NoError(t, x.HandleEvents(ctx, []events.Message{event(t, "created", a), event(t, "created", b)}))
	a.Metrics, b.Metrics = &catalogv1.DatasetMetrics{Views: 2}, &catalogv1.DatasetMetrics{Views: 9, Followers: 1}
	refresh := func(changes ...Change) {
		t.Helper()
		require.NoError(t, x.applyCurrent(ctx, ledger.Dataset, changes))
	}
	refresh(DatasetChange(a), DatasetChange(b))
	res, err := idx.Search(ctx, searchindex.Query{Sort: "-views"})
	require.NoError(t, err)
	require.Len(t, res.Hits, 2)
	assert.Equal(t, "b", res.Hits[0].ID)

	// The ledger keeps the record's version: figures do not move it.
	known, err := x.ledger.Get(ctx, ledger.Dataset, []string{"a"})
	require.NoError(t, err)
	assert.Equal(t, micros(a.GetLastModifiedInternal()), known["a"].Version)

	// A lagging catalog read (older than what is indexed) changes nothing,
	// nor does one of a record removed at its version.
	renamed := dataset("a", "Délibérations", 2)
	require.NoError(t, x.HandleEvents(ctx, []events.Message{event(t, "updated", renamed), event(t, "deleted", b)}))
	a.Metrics, b.Metrics = &catalogv1.DatasetMetrics{Views: 50}, &catalogv1.DatasetMetrics{Views: 60}
	refresh(DatasetChange(a), DatasetChange(b))
	assert.Equal(t, []string{"a"}, find(t, idx, "délibérations"))
	assert.Empty(t, find(t, idx, "budget"))
	assert.Empty(t, find(t, idx, "comptes"))
}

// BenchmarkFiguresReindex measures the index side of a push of 5 000
// datasets' views: after the catalog read, refreshFigures applies the
// current records in pages of figuresPage over an index of the 24 189 real
// datasets. Run it once:
//
//	go test ./services/search/internal/indexer -run '^$' -bench FiguresReindex -benchtime 3x
func BenchmarkFiguresReindex(b *testing.B) {
	datasets, err := corpus.Load(corpus.SamplePath())
	if err != nil {
		b.Skipf("the real catalogue sample is missing (%v)", err)
	}
	ctx := context.Background()
	x, idx := newIndexer(b)
	changes := make([]Change, 0, len(datasets))
	for _, d := range datasets {
		changes = append(changes, DatasetChange(d))
	}
	start := time.Now()
	for page := range slices.Chunk(changes, figuresPage) {
		require.NoError(b, x.Apply(ctx, page))
	}
	n, err := idx.Count(ctx)
	require.NoError(b, err)
	b.Logf("%d real datasets indexed in %v", n, time.Since(start).Round(time.Millisecond))

	const pushed = 5000
	var total time.Duration
	rounds := 0
	for b.Loop() { // the setup above runs once
		round := rounds
		rounds++
		changed := make([]Change, 0, pushed)
		for i, d := range datasets[:pushed] {
			d.Metrics = &catalogv1.DatasetMetrics{Views: int64(round*pushed + i)}
			changed = append(changed, DatasetChange(d))
		}
		start := time.Now()
		for page := range slices.Chunk(changed, figuresPage) {
			require.NoError(b, x.applyCurrent(ctx, ledger.Dataset, page))
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(rounds), "ms/5000-datasets")
	b.Logf("%d datasets whose views changed indexed again in %v per push (index and ledger, no catalog read)", pushed, (total / time.Duration(rounds)).Round(time.Millisecond))
}
