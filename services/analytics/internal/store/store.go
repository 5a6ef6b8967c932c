// Package store keeps the analytics service's counts in SQL (SQLite or
// PostgreSQL): per object, metric and day, and per month, with the ids of
// the events already counted so that each counts exactly once.
package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// MigrationSet names the analytics tables' migrations.
const MigrationSet = "analytics"

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the analytics tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate analytics: %w", err)
	}
	if err := db.Migrate(ctx, MigrationSet, sub); err != nil {
		return fmt.Errorf("migrate analytics: %w", err)
	}
	return nil
}

// Store reads and writes the analytics tables.
type Store struct{ db *sqldb.DB }

// New returns a store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Increment adds one to a metric of an object.
type Increment struct {
	ObjectType string // dataset, resource, organization, reuse, site
	ObjectID   string // "" for the site
	Metric     string
}

// Event is one fact to count, once: its increments happen on the day of At
// (UTC) if its ID was never counted before.
type Event struct {
	ID         string
	At         time.Time
	Increments []Increment
	// Pending are the organization's metrics of a dataset whose
	// organization is not known yet: they go to it once it is.
	Pending []Pending
}

// rowsPerStatement bounds multi-row statements (5 parameters a row stays far
// below SQLite's and PostgreSQL's parameter limits).
const rowsPerStatement = 500

// Record counts the events whose ids were not counted yet, in one
// transaction, and returns how many were new. Replaying a batch, whole or in
// part, changes nothing.
func (s *Store) Record(ctx context.Context, events []Event) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	var fresh int
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		isNew, err := markSeen(ctx, tx, events)
		if err != nil {
			return err
		}
		daily := map[key]int64{}
		monthly := map[key]int64{}
		changed := map[Increment]bool{}
		pending := map[pendingKey]int64{}
		waiting := map[string]bool{}
		for _, e := range events {
			if !isNew[e.ID] {
				continue
			}
			delete(isNew, e.ID) // the same id twice in a batch counts once
			fresh++
			day := e.At.UTC().Format(time.DateOnly)
			for _, inc := range e.Increments {
				daily[key{inc, day}]++
				monthly[key{inc, day[:7]}]++
				changed[inc] = true
			}
			for _, p := range e.Pending {
				pending[pendingKey{p, day}]++
				waiting[p.DatasetID] = true
			}
		}
		if err := markDirty(ctx, tx, changed, time.Now().UnixMicro()); err != nil {
			return err
		}
		if err := upsertCounts(ctx, tx, "analytics_daily", "day", daily); err != nil {
			return err
		}
		if err := upsertCounts(ctx, tx, "analytics_monthly", "month", monthly); err != nil {
			return err
		}
		if err := addPending(ctx, tx, pending); err != nil {
			return err
		}
		// The organization may have become known since the caller
		// looked it up.
		return attributePending(ctx, tx, slices.Sorted(maps.Keys(waiting)))
	})
	if err != nil {
		return 0, fmt.Errorf("record %d events: %w", len(events), err)
	}
	return fresh, nil
}

type key struct {
	Increment
	period string
}

// markSeen inserts the events' ids and says which were not there before.
func markSeen(ctx context.Context, tx *sqldb.Tx, events []Event) (map[string]bool, error) {
	now := time.Now().UnixMicro()
	isNew := make(map[string]bool, len(events))
	for start := 0; start < len(events); start += rowsPerStatement {
		chunk := events[start:min(start+rowsPerStatement, len(events))]
		var b strings.Builder
		args := make([]any, 0, 2*len(chunk))
		b.WriteString("INSERT INTO analytics_seen (event_id, seen_at) VALUES ")
		b.WriteString(sqldb.Rows(len(chunk), 2))
		for _, e := range chunk {
			args = append(args, e.ID, now)
		}
		b.WriteString(" ON CONFLICT (event_id) DO NOTHING RETURNING event_id")
		rows, err := tx.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("mark events seen: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("mark events seen: %w", err)
			}
			isNew[id] = true
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("mark events seen: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("mark events seen: %w", err)
		}
	}
	return isNew, nil
}

// upsertCounts adds counts to a table of day or month rows, in a stable
// order (concurrent writers on PostgreSQL then lock rows in the same order).
func upsertCounts(ctx context.Context, tx *sqldb.Tx, table, period string, counts map[key]int64) error {
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	for start := 0; start < len(keys); start += rowsPerStatement {
		chunk := keys[start:min(start+rowsPerStatement, len(keys))]
		var b strings.Builder
		args := make([]any, 0, 5*len(chunk))
		fmt.Fprintf(&b, "INSERT INTO %s (object_type, object_id, metric, %s, count) VALUES ", table, period)
		b.WriteString(sqldb.Rows(len(chunk), 5))
		for _, k := range chunk {
			args = append(args, k.ObjectType, k.ObjectID, k.Metric, k.period, counts[k])
		}
		fmt.Fprintf(&b, " ON CONFLICT (object_type, object_id, metric, %s) DO UPDATE SET count = %s.count + excluded.count", period, table)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("add to %s: %w", table, err)
		}
	}
	return nil
}

func (k key) less(o key) bool {
	if k.ObjectType != o.ObjectType {
		return k.ObjectType < o.ObjectType
	}
	if k.ObjectID != o.ObjectID {
		return k.ObjectID < o.ObjectID
	}
	if k.Metric != o.Metric {
		return k.Metric < o.Metric
	}
	return k.period < o.period
}

// Prune forgets the ids of events counted before t (a redelivery older than
// the stream keeps messages cannot happen) and returns how many; it drops
// the pending counts of days before t's too (a dataset whose organization
// no catalog event said by then is not waited for any longer).
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM analytics_pending WHERE day < ?", before.UTC().Format(time.DateOnly)); err != nil {
		return 0, fmt.Errorf("prune pending counts: %w", err)
	}
	res, err := s.db.ExecContext(ctx, "DELETE FROM analytics_seen WHERE seen_at < ?", before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("prune seen events: %w", err)
	}
	return res.RowsAffected()
}
