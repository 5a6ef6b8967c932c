// Package indexer keeps the search indexes in step with the catalog: it
// applies changes (from catalog events, a reindex or a repair) in batches,
// skipping any snapshot older than what the index holds, and records each
// applied version in the ledger once the index has it.
package indexer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/relais-data/relais/pkg/searchindex"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/search/internal/ledger"
)

// Change is the latest state of one catalog record.
type Change struct {
	Kind, ID string
	// Version is the record's last modification, unix microseconds.
	Version int64
	// Doc is the document to index; nil removes the record from the index.
	Doc *searchindex.Document
}

func (c Change) entry() ledger.Entry {
	return ledger.Entry{Kind: c.Kind, ID: c.ID, Version: c.Version, Indexed: c.Doc != nil}
}

// Indexer applies changes to the dataset, organization and reuse indexes.
type Indexer struct {
	ledger  *ledger.Ledger
	indexes map[string]searchindex.Index
	catalog catalogv1.CatalogServiceClient
	log     *slog.Logger

	// mu serializes the writes: a batch of events, a page of a reindex, a
	// swap. Searches do not take it.
	mu sync.Mutex
	// rebuilds are the rebuilds running, by kind; changes go to them too.
	rebuilds map[string]*rebuild
	// reindexing is held by the one running reindex.
	reindexing sync.Mutex
}

// New returns an indexer writing to the indexes of datasets,
// organizations and reuses, reading the catalog for truncated snapshots,
// reindexes and verifications.
func New(l *ledger.Ledger, datasets, organizations, reuses searchindex.Index, catalog catalogv1.CatalogServiceClient, log *slog.Logger) *Indexer {
	return &Indexer{
		ledger:   l,
		indexes:  map[string]searchindex.Index{ledger.Dataset: datasets, ledger.Organization: organizations, ledger.Reuse: reuses},
		catalog:  catalog,
		log:      log,
		rebuilds: map[string]*rebuild{},
	}
}

// Apply applies the changes that are newer than what the index holds, to
// the live index and to a running rebuild, then records their versions.
// Of several changes of one record, the newest wins. It returns once the
// indexes have them.
func (x *Indexer) Apply(ctx context.Context, changes []Change) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.apply(ctx, changes, false)
}

// apply is Apply with x.mu held; force applies changes whatever the
// ledger says (a repair).
func (x *Indexer) apply(ctx context.Context, changes []Change, force bool) error {
	latest := latestChanges(changes)
	var entries []ledger.Entry
	for kind, byID := range latest {
		idx := x.indexes[kind]
		if idx == nil {
			return fmt.Errorf("no index of %ss", kind)
		}
		ids := make([]string, 0, len(byID))
		for id := range byID {
			ids = append(ids, id)
		}
		known, err := x.ledger.Get(ctx, kind, ids)
		if err != nil {
			return err
		}
		var upserts []searchindex.Document
		var deletes []string
		for id, c := range byID {
			old, ok := known[id]
			if !force && !c.entry().Newer(old, ok) {
				continue
			}
			if c.Doc != nil {
				upserts = append(upserts, *c.Doc)
			} else {
				deletes = append(deletes, id)
			}
			e := c.entry()
			if ok && old.Version > e.Version { // forced: keep the newest version seen
				e.Version = old.Version
			}
			entries = append(entries, e)
		}
		targets := []interface {
			Upsert(context.Context, ...searchindex.Document) error
			Delete(context.Context, ...string) error
		}{idx}
		if rb := x.rebuilds[kind]; rb != nil {
			targets = append(targets, rb.Rebuild)
			rb.touched(upserts, deletes)
		}
		for _, t := range targets {
			if len(upserts) > 0 {
				if err := t.Upsert(ctx, upserts...); err != nil {
					return fmt.Errorf("index %d %ss: %w", len(upserts), kind, err)
				}
			}
			if len(deletes) > 0 {
				if err := t.Delete(ctx, deletes...); err != nil {
					return fmt.Errorf("remove %d %ss: %w", len(deletes), kind, err)
				}
			}
		}
	}
	// The ledger follows the index: a crash between the two replays the
	// events, whose changes are idempotent.
	return x.ledger.Put(ctx, entries)
}

// latestChanges groups changes by kind and id, keeping the newest of each
// record.
func latestChanges(changes []Change) map[string]map[string]Change {
	out := map[string]map[string]Change{}
	for _, c := range changes {
		byID := out[c.Kind]
		if byID == nil {
			byID = map[string]Change{}
			out[c.Kind] = byID
		}
		if old, ok := byID[c.ID]; !ok || c.entry().Newer(old.entry(), true) {
			byID[c.ID] = c
		}
	}
	return out
}

// ErrReindexing says a reindex is already running.
var ErrReindexing = errors.New("a reindex is already running")
