package app

import (
	"context"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// MetricsChanged is the verb of the events that name objects whose
// figures (views, followers, reuses) changed with no other event of them.
const MetricsChanged = "metrics_changed"

// metricsEventIDs bounds the ids of one metrics event: a consumer reads
// them back with one ListDatasets call (ids, at most 1 000).
const metricsEventIDs = 1000

// sortedMetrics are the figures of SetMetrics that search indexes sort
// by; the others (downloads) change no search document.
var sortedMetrics = map[string]bool{"views": true}

// metricsEvents enqueues relais.catalog.<type>.metrics_changed events
// naming the objects of one type whose figures changed, metricsEventIDs
// at most per event, so that a push of 5 000 datasets' figures is 5
// events, not 5 000 snapshots.
func metricsEvents(ctx context.Context, q store.Q, objectType string, ids []string, at time.Time) error {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for chunk := range slices.Chunk(ids, metricsEventIDs) {
		id := events.NewID()
		ev := &eventsv1.MetricsChanged{EventId: id, OccurredAt: timestamppb.New(at), ObjectType: objectType, Ids: chunk}
		if err := enqueue(ctx, q, SubjectPrefix+objectType+"."+MetricsChanged, ev, id, at); err != nil {
			return err
		}
	}
	return nil
}
