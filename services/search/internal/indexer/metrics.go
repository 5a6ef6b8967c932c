package indexer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/search/internal/ledger"
)

// metricsSuffix ends the subjects of the catalog's MetricsChanged events
// (relais.catalog.<type>.metrics_changed), which the dataset, organization
// and reuse filters of the consumer match.
const metricsSuffix = ".metrics_changed"

// figuresPage is how many records one catalog read brings back when
// figures changed (ListDatasets takes at most 1 000 ids).
const figuresPage = 1000

// figures gathers, by kind, the ids named by the metrics events of a batch.
type figures map[string][]string

// addFigures records in f the ids of a metrics event; false when m is not
// one. An undecodable one is logged and skipped.
func (x *Indexer) addFigures(ctx context.Context, f figures, m events.Message) bool {
	if !strings.HasSuffix(m.Subject, metricsSuffix) {
		return false
	}
	ev := &eventsv1.MetricsChanged{}
	if err := proto.Unmarshal(m.Data, ev); err != nil || x.indexes[ev.GetObjectType()] == nil {
		x.log.ErrorContext(ctx, "undecodable metrics event skipped", "event_id", m.ID, "subject", m.Subject, "err", err)
		return true
	}
	f[ev.GetObjectType()] = append(f[ev.GetObjectType()], ev.GetIds()...)
	return true
}

// refreshFigures indexes again the records whose figures (views,
// followers, reuses) changed, read from the catalog: the index stores no
// document to patch, and a current read makes replayed or reordered
// events harmless. The catalog's current records replace the indexed ones
// at the version the ledger holds (figures do not move it) or a later
// one; records the catalog no longer shows are left to their own events.
func (x *Indexer) refreshFigures(ctx context.Context, f figures) error {
	for kind, ids := range f {
		ids = slices.Compact(slices.Sorted(slices.Values(ids)))
		for chunk := range slices.Chunk(ids, figuresPage) {
			changes, err := x.readRecords(ctx, kind, chunk)
			if err != nil {
				return fmt.Errorf("read %d %ss whose figures changed: %w", len(chunk), kind, err)
			}
			if err := x.applyCurrent(ctx, kind, changes); err != nil {
				return err
			}
		}
	}
	return nil
}

// readRecords reads records of one kind by id, as an anonymous caller.
func (x *Indexer) readRecords(ctx context.Context, kind string, ids []string) ([]Change, error) {
	var changes []Change
	switch kind {
	case ledger.Dataset:
		resp, err := x.catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Ids: ids, PageSize: int32(len(ids))})
		if err != nil {
			return nil, err
		}
		for _, d := range resp.GetDatasets() {
			changes = append(changes, DatasetChange(d))
		}
	case ledger.Organization:
		resp, err := x.catalog.ListOrganizations(ctx, &catalogv1.ListOrganizationsRequest{Ids: ids, PageSize: int32(len(ids))})
		if err != nil {
			return nil, err
		}
		for _, o := range resp.GetOrganizations() {
			changes = append(changes, OrganizationChange(o))
		}
	case ledger.Reuse:
		resp, err := x.catalog.ListReuses(ctx, &catalogv1.ListReusesRequest{Ids: ids, PageSize: int32(len(ids))})
		if err != nil {
			return nil, err
		}
		for _, u := range resp.GetReuses() {
			changes = append(changes, ReuseChange(u))
		}
	}
	return changes, nil
}

// applyCurrent applies records read from the catalog just now, whatever
// the ledger says unless they are older than what the index holds.
func (x *Indexer) applyCurrent(ctx context.Context, kind string, changes []Change) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	changes, err := x.notOlder(ctx, kind, changes)
	if err != nil {
		return err
	}
	return x.apply(ctx, changes, true)
}

// notOlder keeps the changes that may replace what the index holds at
// their version or a later one: a catalog replica's read may lag a change
// already indexed (its read cache), and a record removed at a version
// stays removed until a later one. x.mu is held.
func (x *Indexer) notOlder(ctx context.Context, kind string, changes []Change) ([]Change, error) {
	ids := make([]string, 0, len(changes))
	for _, c := range changes {
		ids = append(ids, c.ID)
	}
	known, err := x.ledger.Get(ctx, kind, ids)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(changes, func(c Change) bool {
		old, ok := known[c.ID]
		return ok && (c.Version < old.Version || c.Version == old.Version && !old.Indexed)
	}), nil
}
