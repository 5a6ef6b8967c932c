// Package store keeps the harvester's state in SQL (SQLite or PostgreSQL):
// sources, the mapping from a remote dataset to its local one, and runs
// with their plans, so that a run survives a crash of the process.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// MigrationSet names the harvest tables' migrations.
const MigrationSet = "harvest"

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is an unknown source or run.
var ErrNotFound = errors.New("not found")

// Migrate creates or upgrades the harvest tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate harvest: %w", err)
	}
	if err := db.Migrate(ctx, MigrationSet, sub); err != nil {
		return fmt.Errorf("migrate harvest: %w", err)
	}
	return nil
}

// Store reads and writes the harvest tables.
type Store struct{ db *sqldb.DB }

// New returns a store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Source is a harvest source.
type Source struct {
	ID           string
	Name         string
	Kind         string // udata, dcat, csw-dcat, ckan, dcatus
	URL          string
	ParamsJSON   string // kind-specific: organizations, sirets, page_size
	Organization string // local organization id the datasets belong to
	AutoApply    bool
	OnDeletion   string // archive or keep
	Every        time.Duration
	CreatedAt    time.Time
}

// CreateSource stores s.
func (s *Store) CreateSource(ctx context.Context, src Source) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO harvest_sources
		(id, name, kind, url, params_json, organization, auto_apply, on_deletion, every_seconds, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		src.ID, src.Name, src.Kind, src.URL, src.ParamsJSON, src.Organization, boolInt(src.AutoApply), src.OnDeletion,
		int64(src.Every/time.Second), src.CreatedAt.Unix())
	if sqldb.IsUniqueViolation(err) {
		return fmt.Errorf("source %s exists", src.ID)
	}
	return err
}

const sourceColumns = `id, name, kind, url, params_json, organization, auto_apply, on_deletion, every_seconds, created_at`

func scanSource(row interface{ Scan(...any) error }) (Source, error) {
	var src Source
	var auto, every, created int64
	err := row.Scan(&src.ID, &src.Name, &src.Kind, &src.URL, &src.ParamsJSON, &src.Organization, &auto, &src.OnDeletion, &every, &created)
	src.AutoApply, src.Every, src.CreatedAt = auto != 0, time.Duration(every)*time.Second, time.Unix(created, 0).UTC()
	return src, err
}

// GetSource reads a source.
func (s *Store) GetSource(ctx context.Context, id string) (Source, error) {
	src, err := scanSource(s.db.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM harvest_sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return src, fmt.Errorf("source %s: %w", id, ErrNotFound)
	}
	return src, err
}

// ListSources reads every source, by id.
func (s *Store) ListSources(ctx context.Context) ([]Source, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+sourceColumns+` FROM harvest_sources ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// DeleteSource removes a source and its runs; the mapping goes too, the
// local datasets stay.
func (s *Store) DeleteSource(ctx context.Context, id string) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM harvest_sources WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("source %s: %w", id, ErrNotFound)
		}
		for _, q := range []string{
			`DELETE FROM harvest_items WHERE run_id IN (SELECT id FROM harvest_runs WHERE source_id = ?)`,
			`DELETE FROM harvest_runs WHERE source_id = ?`,
			`DELETE FROM harvest_mappings WHERE source_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
