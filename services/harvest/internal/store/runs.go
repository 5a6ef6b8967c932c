package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// Run statuses.
const (
	RunPlanning = "planning" // reading the source
	RunPlanned  = "planned"  // waiting for approval
	RunApplying = "applying" // writing approved items to the catalog
	RunDone     = "done"
	RunFailed   = "failed" // the source could not be read whole
)

// Run is one harvest of a source.
type Run struct {
	ID         string
	SourceID   string
	Status     string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Error      string
	Seen       int64 // remote datasets read
	Skipped    int64 // unchanged ones
}

// CreateRun stores a new run.
func (s *Store) CreateRun(ctx context.Context, r Run) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO harvest_runs (id, source_id, status, started_at, finished_at, error, seen, skipped)
		VALUES (?, ?, ?, ?, 0, '', 0, 0)`, r.ID, r.SourceID, r.Status, r.StartedAt.UnixMilli())
	return err
}

const runColumns = `id, source_id, status, started_at, finished_at, error, seen, skipped`

func scanRun(row interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var started, finished int64
	err := row.Scan(&r.ID, &r.SourceID, &r.Status, &started, &finished, &r.Error, &r.Seen, &r.Skipped)
	r.StartedAt = time.UnixMilli(started).UTC()
	if finished != 0 {
		r.FinishedAt = time.UnixMilli(finished).UTC()
	}
	return r, err
}

// GetRun reads a run.
func (s *Store) GetRun(ctx context.Context, id string) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM harvest_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("run %s: %w", id, ErrNotFound)
	}
	return r, err
}

// ListRuns reads the runs of a source, newest first; every source's when
// sourceID is empty, and only those in one of statuses when given.
func (s *Store) ListRuns(ctx context.Context, sourceID string, statuses ...string) ([]Run, error) {
	q := `SELECT ` + runColumns + ` FROM harvest_runs WHERE (? = '' OR source_id = ?)`
	args := []any{sourceID, sourceID}
	if len(statuses) > 0 {
		q += ` AND status IN (` + sqldb.Placeholders(len(statuses)) + `)`
		for _, st := range statuses {
			args = append(args, st)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY started_at DESC, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetRun records a run's status, counts and error; a final status (done,
// failed) sets its end.
func (s *Store) SetRun(ctx context.Context, r Run) error {
	var finished int64
	if r.Status == RunDone || r.Status == RunFailed {
		finished = time.Now().UnixMilli()
	}
	_, err := s.db.ExecContext(ctx, `UPDATE harvest_runs SET status = ?, error = ?, seen = ?, skipped = ?, finished_at = ? WHERE id = ?`,
		r.Status, r.Error, r.Seen, r.Skipped, finished, r.ID)
	return err
}

// Item statuses.
const (
	ItemPlanned  = "planned"
	ItemApproved = "approved"
	ItemRejected = "rejected"
	ItemApplied  = "applied"
	ItemFailed   = "failed"
)

// Item actions.
const (
	Create  = "create"
	Update  = "update"
	Archive = "archive"
	Fail    = "fail" // the remote dataset cannot be harvested (Reason says why)
)

// Item is one entry of a run's plan.
type Item struct {
	RunID        string
	Seq          int64
	RemoteID     string
	Action       string
	DatasetID    string // the local dataset (chosen at plan time for creates)
	Title        string
	DiffJSON     string // [{field, old, new}]
	SnapshotJSON string // the remote dataset to apply
	Fingerprint  string
	Status       string
	Reason       string
}

// rowsPerInsert bounds multi-row inserts (11 parameters a row).
const rowsPerInsert = 80

// ReplaceItems stores the plan of a run, dropping any earlier one (a
// planning restarted after a crash).
func (s *Store) ReplaceItems(ctx context.Context, runID string, items []Item) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM harvest_items WHERE run_id = ?`, runID); err != nil {
			return err
		}
		for start := 0; start < len(items); start += rowsPerInsert {
			batch := items[start:min(start+rowsPerInsert, len(items))]
			q := `INSERT INTO harvest_items (run_id, seq, remote_id, action, dataset_id, title, diff_json, snapshot_json, fingerprint, status, reason) VALUES `
			args := make([]any, 0, 11*len(batch))
			for i, it := range batch {
				if i > 0 {
					q += ", "
				}
				q += "(" + sqldb.Placeholders(11) + ")"
				args = append(args, runID, it.Seq, it.RemoteID, it.Action, it.DatasetID, it.Title, it.DiffJSON, it.SnapshotJSON, it.Fingerprint, it.Status, it.Reason)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// Items reads a run's items in plan order, only those in status when it is
// not empty.
func (s *Store) Items(ctx context.Context, runID, status string) ([]Item, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, seq, remote_id, action, dataset_id, title, diff_json, snapshot_json, fingerprint, status, reason
		FROM harvest_items WHERE run_id = ? AND (? = '' OR status = ?) ORDER BY seq`, runID, status, status)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.RunID, &it.Seq, &it.RemoteID, &it.Action, &it.DatasetID, &it.Title, &it.DiffJSON, &it.SnapshotJSON, &it.Fingerprint, &it.Status, &it.Reason); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Decide approves or rejects planned items of a run: those of seqs, or
// every planned one when seqs is empty. It returns how many changed.
func (s *Store) Decide(ctx context.Context, runID string, approve bool, seqs []int64) (int64, error) {
	status := ItemRejected
	if approve {
		status = ItemApproved
	}
	q := `UPDATE harvest_items SET status = ? WHERE run_id = ? AND status = ?`
	args := []any{status, runID, ItemPlanned}
	if len(seqs) > 0 {
		q += ` AND seq IN (` + sqldb.Placeholders(len(seqs)) + `)`
		for _, n := range seqs {
			args = append(args, n)
		}
	}
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Applied records items written to the catalog and their mapping, in one
// transaction: a crash leaves an item either applied and mapped or still
// approved (and applied again, idempotently, on resume).
func (s *Store) Applied(ctx context.Context, sourceID string, items []Item) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, `UPDATE harvest_items SET status = ?, reason = ? WHERE run_id = ? AND seq = ?`,
				ItemApplied, it.Reason, it.RunID, it.Seq); err != nil {
				return err
			}
			archived := boolInt(it.Action == Archive)
			if _, err := tx.ExecContext(ctx, `INSERT INTO harvest_mappings (source_id, remote_id, dataset_id, fingerprint, snapshot_json, archived)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (source_id, remote_id) DO UPDATE SET dataset_id = excluded.dataset_id,
				fingerprint = excluded.fingerprint, snapshot_json = excluded.snapshot_json, archived = excluded.archived`,
				sourceID, it.RemoteID, it.DatasetID, it.Fingerprint, it.SnapshotJSON, archived); err != nil {
				return err
			}
		}
		return nil
	})
}

// Failed records an item the catalog refused, with why.
func (s *Store) Failed(ctx context.Context, runID string, seq int64, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE harvest_items SET status = ?, reason = ? WHERE run_id = ? AND seq = ?`, ItemFailed, reason, runID, seq)
	return err
}

// Report counts a run's items by action and status.
type Report struct {
	Run
	Counts map[string]map[string]int64 // action → status → count
}

// Report reads the counts of a run.
func (s *Store) Report(ctx context.Context, runID string) (Report, error) {
	r, err := s.GetRun(ctx, runID)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Run: r, Counts: map[string]map[string]int64{}}
	rows, err := s.db.QueryContext(ctx, `SELECT action, status, COUNT(*) FROM harvest_items WHERE run_id = ? GROUP BY action, status`, runID)
	if err != nil {
		return rep, err
	}
	defer rows.Close()
	for rows.Next() {
		var action, status string
		var n int64
		if err := rows.Scan(&action, &status, &n); err != nil {
			return rep, err
		}
		if rep.Counts[action] == nil {
			rep.Counts[action] = map[string]int64{}
		}
		rep.Counts[action][status] = n
	}
	return rep, rows.Err()
}
