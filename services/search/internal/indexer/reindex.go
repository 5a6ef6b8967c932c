package indexer

import (
	"context"
	"fmt"

	"github.com/relais-data/relais/pkg/searchindex"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/search/internal/ledger"
)

// kinds are the kinds of records indexed, in the order reindex and
// verify go through them.
var kinds = []string{ledger.Dataset, ledger.Organization, ledger.Reuse}

// catalogPage is how many records a reindex reads per catalog call: full
// datasets with their resources stay well under gRPC's message limit.
const catalogPage = 250

// Progress is where a reindex is.
type Progress struct {
	// Phase is the kind being rebuilt ("dataset", "organization", "reuse"), then
	// "swapped".
	Phase       string
	Done, Total int64
}

// rebuild is a running rebuild, the ids it holds (seen) and those events
// changed while it ran (changed).
type rebuild struct {
	searchindex.Rebuild
	seen, changed map[string]bool
}

func newRebuild(rb searchindex.Rebuild) *rebuild {
	return &rebuild{Rebuild: rb, seen: map[string]bool{}, changed: map[string]bool{}}
}

// touched records changes events brought to the rebuild.
func (r *rebuild) touched(upserts []searchindex.Document, deletes []string) {
	for _, d := range upserts {
		r.seen[d.ID] = true
		r.changed[d.ID] = true
	}
	for _, id := range deletes {
		delete(r.seen, id)
		r.changed[id] = true
	}
}

// Reindex rebuilds each index from the catalog beside the live one, which
// keeps answering, then swaps it in. Events arriving meanwhile go to both.
// report is called after each page.
func (x *Indexer) Reindex(ctx context.Context, report func(Progress)) error {
	if !x.reindexing.TryLock() {
		return ErrReindexing
	}
	defer x.reindexing.Unlock()
	for _, kind := range kinds {
		if err := x.reindexKind(ctx, kind, report); err != nil {
			return err
		}
	}
	report(Progress{Phase: "swapped"})
	return nil
}

func (x *Indexer) reindexKind(ctx context.Context, kind string, report func(Progress)) (err error) {
	rb, err := x.indexes[kind].Rebuild(ctx)
	if err != nil {
		return fmt.Errorf("reindex %ss: %w", kind, err)
	}
	r := newRebuild(rb)
	x.mu.Lock()
	x.rebuilds[kind] = r
	x.mu.Unlock()
	defer func() {
		if err != nil {
			x.mu.Lock()
			delete(x.rebuilds, kind)
			x.mu.Unlock()
			_ = rb.Abort(context.WithoutCancel(ctx))
		}
	}()
	var done int64
	err = x.eachPage(ctx, kind, func(changes []Change, total int64) error {
		if err := x.fill(ctx, r, kind, changes); err != nil {
			return err
		}
		done += int64(len(changes))
		report(Progress{Phase: kind, Done: done, Total: max(total, done)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("reindex %ss: %w", kind, err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := rb.Swap(ctx); err != nil {
		return fmt.Errorf("reindex %ss: %w", kind, err)
	}
	delete(x.rebuilds, kind)
	// What the catalog no longer lists is not in the new index.
	all, err := x.ledger.All(ctx, kind)
	if err != nil {
		return err
	}
	var gone []ledger.Entry
	for id, e := range all {
		if e.Indexed && !r.seen[id] {
			e.Indexed = false
			gone = append(gone, e)
		}
	}
	return x.ledger.Put(ctx, gone)
}

// fill writes a page of the catalog to the rebuild, but for the records
// events changed since the rebuild started: those are in it already, as
// the events left them. The ledger keeps the newer of its version and the
// page's.
func (x *Indexer) fill(ctx context.Context, r *rebuild, kind string, changes []Change) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	ids := make([]string, len(changes))
	for i, c := range changes {
		ids[i] = c.ID
	}
	known, err := x.ledger.Get(ctx, kind, ids)
	if err != nil {
		return err
	}
	var docs []searchindex.Document
	var entries []ledger.Entry
	for _, c := range changes {
		if r.changed[c.ID] {
			continue
		}
		e := c.entry()
		if old, ok := known[c.ID]; ok && old.Version > e.Version {
			e.Version = old.Version
		}
		if c.Doc != nil {
			docs = append(docs, *c.Doc)
			r.seen[c.ID] = true
		}
		entries = append(entries, e)
	}
	if len(docs) > 0 {
		if err := r.Upsert(ctx, docs...); err != nil {
			return err
		}
	}
	return x.ledger.Put(ctx, entries)
}

// eachPage reads every record of a kind the catalog shows an anonymous
// caller (public, not deleted, not archived), a page at a time.
func (x *Indexer) eachPage(ctx context.Context, kind string, fn func(changes []Change, total int64) error) error {
	for page := int32(1); ; page++ {
		var changes []Change
		var total int64
		switch kind {
		case ledger.Dataset:
			resp, err := x.catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Page: page, PageSize: catalogPage, Sort: "created"})
			if err != nil {
				return fmt.Errorf("list datasets page %d: %w", page, err)
			}
			for _, d := range resp.GetDatasets() {
				changes = append(changes, DatasetChange(d))
			}
			total = resp.GetTotal()
		case ledger.Reuse:
			resp, err := x.catalog.ListReuses(ctx, &catalogv1.ListReusesRequest{Page: page, PageSize: catalogPage, Sort: "created"})
			if err != nil {
				return fmt.Errorf("list reuses page %d: %w", page, err)
			}
			for _, u := range resp.GetReuses() {
				changes = append(changes, ReuseChange(u))
			}
			total = resp.GetTotal()
		default:
			resp, err := x.catalog.ListOrganizations(ctx, &catalogv1.ListOrganizationsRequest{Page: page, PageSize: catalogPage, Sort: "created"})
			if err != nil {
				return fmt.Errorf("list organizations page %d: %w", page, err)
			}
			for _, o := range resp.GetOrganizations() {
				changes = append(changes, OrganizationChange(o))
			}
			total = resp.GetTotal()
		}
		if len(changes) > 0 {
			if err := fn(changes, total); err != nil {
				return err
			}
		}
		if len(changes) < catalogPage || int64(page)*catalogPage >= total {
			return nil
		}
	}
}
