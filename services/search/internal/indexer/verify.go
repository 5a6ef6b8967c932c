package indexer

import (
	"context"
	"fmt"
	"slices"

	"github.com/relais-data/relais/services/search/internal/ledger"
)

// Report is what Verify found, per kind/id ("dataset/5f…").
type Report struct {
	// Checked counts the searchable records of the catalog.
	Checked int64
	// Missing are searchable in the catalog and absent from the index;
	// Stale are indexed from an older version; Extra are indexed and not
	// searchable in the catalog.
	Missing, Stale, Extra []string
	// Repaired counts the fixed ones (repair only).
	Repaired int64
	// Indexed is what the indexes count after the check; Expected what the
	// ledger says they hold. They differ when the index lost documents
	// the ledger still records (then reindex).
	Indexed, Expected int64
}

// Verify compares the indexes with the catalog and, with repair, indexes
// the missing and stale records and removes the extra ones.
func (x *Indexer) Verify(ctx context.Context, repair bool) (Report, error) {
	var rep Report
	for _, kind := range kinds {
		if err := x.verifyKind(ctx, kind, repair, &rep); err != nil {
			return rep, fmt.Errorf("verify %ss: %w", kind, err)
		}
	}
	slices.Sort(rep.Missing)
	slices.Sort(rep.Stale)
	slices.Sort(rep.Extra)
	return rep, nil
}

func (x *Indexer) verifyKind(ctx context.Context, kind string, repair bool, rep *Report) error {
	catalog := map[string]Change{}
	if err := x.eachPage(ctx, kind, func(changes []Change, _ int64) error {
		for _, c := range changes {
			catalog[c.ID] = c
		}
		return nil
	}); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	known, err := x.ledger.All(ctx, kind)
	if err != nil {
		return err
	}
	var fixes []Change
	for id, c := range catalog {
		if c.Doc == nil {
			continue
		}
		rep.Checked++
		e, ok := known[id]
		switch {
		case !ok || !e.Indexed:
			rep.Missing = append(rep.Missing, kind+"/"+id)
		case e.Version < c.Version:
			rep.Stale = append(rep.Stale, kind+"/"+id)
		default:
			continue
		}
		fixes = append(fixes, c)
	}
	for id, e := range known {
		if !e.Indexed {
			continue
		}
		if c, ok := catalog[id]; ok && c.Doc != nil {
			continue
		}
		// Created or published after the listing was read?
		switch kind {
		case ledger.Dataset:
			if d, err := x.fetchDataset(ctx, id); err != nil {
				return err
			} else if c := DatasetChange(d); d != nil && c.Doc != nil {
				continue
			}
		case ledger.Reuse:
			if u, err := x.fetchReuse(ctx, id); err != nil {
				return err
			} else if c := ReuseChange(u); u != nil && c.Doc != nil {
				continue
			}
		}
		rep.Extra = append(rep.Extra, kind+"/"+id)
		fixes = append(fixes, Change{Kind: kind, ID: id, Version: e.Version})
	}
	if repair && len(fixes) > 0 {
		if err := x.apply(ctx, fixes, true); err != nil {
			return err
		}
		rep.Repaired += int64(len(fixes))
	}
	n, err := x.indexes[kind].Count(ctx)
	if err != nil {
		return err
	}
	rep.Indexed += int64(n)
	after, err := x.ledger.All(ctx, kind)
	if err != nil {
		return err
	}
	for _, e := range after {
		if e.Indexed {
			rep.Expected++
		}
	}
	return nil
}
