package harvester

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/relais-data/relais/services/harvest/internal/remote"
	"github.com/relais-data/relais/services/harvest/internal/store"
)

// progressEvery is how often (in remote datasets) a planning run records
// its progress.
const progressEvery = 1000

// plan reads the source whole and stores the run's plan. A source that
// fails part-way keeps the items read so far but plans no archive: a
// dataset missing from an incomplete listing is not known to be gone.
func (h *Harvester) plan(ctx context.Context, src store.Source, r store.Run) (store.Run, error) {
	mappings, err := h.Store.Mappings(ctx, src.ID)
	if err != nil {
		return r, err
	}
	known, err := h.licenses(ctx)
	if err != nil {
		return r, err
	}
	rs, err := h.Open(src)
	if err != nil {
		r.Status, r.Error = store.RunFailed, err.Error()
		return r, h.Store.SetRun(ctx, r)
	}
	seen := map[string]bool{}
	var items []store.Item
	add := func(it store.Item) {
		it.Seq, it.RunID = int64(len(items)+1), r.ID
		if it.Status == "" {
			it.Status = store.ItemPlanned
		}
		items = append(items, it)
	}
	r.Seen, r.Skipped = 0, 0
	walkErr := rs.Walk(ctx, func(d remote.Dataset) error {
		r.Seen++
		if r.Seen%progressEvery == 0 {
			if err := h.Store.SetRun(ctx, r); err != nil {
				return err
			}
		}
		if d.Problem != "" {
			// Still at the source: its local dataset, if any, stays as it is.
			seen[d.RemoteID] = d.RemoteID != ""
			add(store.Item{RemoteID: d.RemoteID, Action: store.Fail, Title: d.Title, DiffJSON: "[]", Status: store.ItemFailed, Reason: d.Problem})
			return nil
		}
		if seen[d.RemoteID] {
			add(store.Item{RemoteID: d.RemoteID, Action: store.Fail, Title: d.Title, DiffJSON: "[]", Status: store.ItemFailed, Reason: "the source lists this identifier twice"})
			return nil
		}
		seen[d.RemoteID] = true
		note := ""
		if id, ok := known.resolve(d.License); ok {
			d.License = id
		} else {
			note = fmt.Sprintf("unknown licence %q: notspecified", d.License)
			d.License = ""
		}
		snapshot, err := json.Marshal(d)
		if err != nil {
			return err
		}
		it := store.Item{RemoteID: d.RemoteID, Title: d.Title, SnapshotJSON: string(snapshot), Fingerprint: d.Fingerprint()}
		m, known := mappings[d.RemoteID]
		switch {
		case !known:
			it.Action, it.DatasetID = store.Create, newID()
			it.DiffJSON = diffJSON(diff(nil, d))
		case m.Fingerprint == it.Fingerprint && !m.Archived:
			r.Skipped++
			return nil
		default:
			var prev remote.Dataset
			_ = json.Unmarshal([]byte(m.SnapshotJSON), &prev) // our own JSON
			it.Action, it.DatasetID = store.Update, m.DatasetID
			changes := diff(&prev, d)
			if m.Archived {
				changes = append(changes, Change{Field: "archived", Old: true, New: false})
			}
			it.DiffJSON = diffJSON(changes)
		}
		if it.Reason = note; d.License == "" && note == "" {
			it.Reason = "no licence at the source: notspecified"
		}
		add(it)
		return nil
	})
	if walkErr != nil && ctx.Err() != nil {
		return r, ctx.Err() // stopped: planned again on resume
	}
	if walkErr == nil && src.OnDeletion != "keep" {
		gone := make([]string, 0)
		for id, m := range mappings {
			if !seen[id] && !m.Archived {
				gone = append(gone, id)
			}
		}
		sort.Strings(gone)
		for _, id := range gone {
			m := mappings[id]
			var prev remote.Dataset
			_ = json.Unmarshal([]byte(m.SnapshotJSON), &prev)
			add(store.Item{
				RemoteID: id, Action: store.Archive, DatasetID: m.DatasetID, Title: prev.Title,
				DiffJSON: diffJSON([]Change{{Field: "archived", Old: false, New: true}}), SnapshotJSON: m.SnapshotJSON, Fingerprint: m.Fingerprint,
				Reason: "no longer at the source",
			})
		}
	}
	if err := h.Store.ReplaceItems(ctx, r.ID, items); err != nil {
		return r, err
	}
	r.Status = store.RunPlanned
	if walkErr != nil && r.Seen == 0 {
		r.Status, r.Error = store.RunFailed, walkErr.Error()
	} else if walkErr != nil {
		r.Error = fmt.Sprintf("the source could not be read whole (nothing archived): %v", walkErr)
	}
	h.log().Info("harvest planned", "run", r.ID, "source", src.ID, "status", r.Status, "seen", r.Seen, "unchanged", r.Skipped,
		"items", len(items), "error", r.Error)
	return r, h.Store.SetRun(ctx, r)
}
