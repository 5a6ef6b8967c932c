// Package ledger keeps, per catalog record, the version the search index
// last applied and whether the record is in the index. Events arrive at
// least once and possibly out of order; the ledger is how the indexer
// skips a snapshot older than what the index already holds.
package ledger

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/relais-data/relais/pkg/sqldb"
)

// MigrationSet names the ledger's migrations.
const MigrationSet = "search"

//go:embed migrations/*.sql
var migrations embed.FS

// Kinds of records.
const (
	Dataset      = "dataset"
	Organization = "organization"
	Reuse        = "reuse"
)

// Entry is what the index holds of one record.
type Entry struct {
	Kind, ID string
	// Version is the record's last modification, unix microseconds.
	Version int64
	// Indexed is false when the record was removed from the index.
	Indexed bool
}

// Newer says whether e should replace old: a later version, or the same
// version removing the record (a deletion event carries the snapshot
// before the deletion, with the version of the last change).
func (e Entry) Newer(old Entry, known bool) bool {
	if !known {
		return true
	}
	return e.Version > old.Version || (e.Version == old.Version && old.Indexed && !e.Indexed)
}

// Ledger reads and writes the search_versions table.
type Ledger struct{ db *sqldb.DB }

// New returns the ledger on db, migrated with Migrate.
func New(db *sqldb.DB) *Ledger { return &Ledger{db: db} }

// Migrate creates or upgrades the ledger's table.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate search: %w", err)
	}
	if err := db.Migrate(ctx, MigrationSet, sub); err != nil {
		return fmt.Errorf("migrate search: %w", err)
	}
	return nil
}

// maxParams bounds the ids of one query (SQLite allows 32766 parameters).
const maxParams = 500

// Get returns the entries of ids of a kind that the ledger holds.
func (l *Ledger) Get(ctx context.Context, kind string, ids []string) (map[string]Entry, error) {
	out := make(map[string]Entry, len(ids))
	for start := 0; start < len(ids); start += maxParams {
		chunk := ids[start:min(start+maxParams, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, kind)
		for _, id := range chunk {
			args = append(args, id)
		}
		q := "SELECT id, version, indexed FROM search_versions WHERE kind = ? AND id IN (?" +
			strings.Repeat(", ?", len(chunk)-1) + ")"
		if err := l.scan(ctx, kind, out, q, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// All returns every entry of a kind.
func (l *Ledger) All(ctx context.Context, kind string) (map[string]Entry, error) {
	out := map[string]Entry{}
	if err := l.scan(ctx, kind, out, "SELECT id, version, indexed FROM search_versions WHERE kind = ?", kind); err != nil {
		return nil, err
	}
	return out, nil
}

// Empty reports whether the ledger records nothing: a replica on a new
// volume, whose index is empty too.
func (l *Ledger) Empty(ctx context.Context) (bool, error) {
	var one int
	err := l.db.QueryRowContext(ctx, "SELECT 1 FROM search_versions LIMIT 1").Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("read search versions: %w", err)
	}
	return false, nil
}

func (l *Ledger) scan(ctx context.Context, kind string, out map[string]Entry, q string, args ...any) error {
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read search versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := Entry{Kind: kind}
		var indexed int
		if err := rows.Scan(&e.ID, &e.Version, &indexed); err != nil {
			return fmt.Errorf("read search versions: %w", err)
		}
		e.Indexed = indexed != 0
		out[e.ID] = e
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read search versions: %w", err)
	}
	return nil
}

// Put records entries, in one transaction.
func (l *Ledger) Put(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	err := l.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, e := range entries {
			indexed := 0
			if e.Indexed {
				indexed = 1
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO search_versions (kind, id, version, indexed) VALUES (?, ?, ?, ?)
				ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, indexed = excluded.indexed`,
				e.Kind, e.ID, e.Version, indexed); err != nil {
				return fmt.Errorf("%s %s: %w", e.Kind, e.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write search versions: %w", err)
	}
	return nil
}
