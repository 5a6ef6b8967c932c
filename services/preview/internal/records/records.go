// Package records keeps what the preview service knows of each resource
// (its analysis state, the extras written on it, its map and validation
// data) and the events it already handled.
package records

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

// MigrationSet names the preview tables' migrations.
const MigrationSet = "preview"

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound: no record for this resource.
var ErrNotFound = errors.New("no preview record")

// States of a record.
const (
	StateDone   = "done"
	StateFailed = "failed"
	// StateRetrying is a failure for a transient reason, to be tried
	// again (Attempts says how many failed).
	StateRetrying = "retrying"
)

// Map kinds.
const (
	MapNone    = ""
	MapGeoJSON = "geojson"
	MapPoints  = "points"
)

// Record is one resource's preview.
type Record struct {
	ResourceID    string
	DatasetID     string
	Source        string
	Signature     string
	State         string
	Error         string
	AnalyzedAt    time.Time
	Extras        []byte
	ExtrasWritten bool
	Tabular       bool
	MapKind       string
	GeoJSON       []byte
	Location      []byte
	Validation    []byte
	// Attempts counts the consecutive transient failures of this
	// signature (State failed); 0 when done or failed for good.
	Attempts int
}

// Store reads and writes the preview tables.
type Store struct{ db *sqldb.DB }

// New returns a store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Migrate creates or upgrades the preview tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate preview: %w", err)
	}
	if err := db.Migrate(ctx, MigrationSet, sub); err != nil {
		return fmt.Errorf("migrate preview: %w", err)
	}
	return nil
}

const columns = `resource_id, dataset_id, source, signature, state, error, analyzed_at, extras,
	extras_written, tabular, map_kind, geojson, location, validation, attempts`

// Put inserts or replaces rec.
func (s *Store) Put(ctx context.Context, rec *Record) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO preview_resources (`+columns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (resource_id) DO UPDATE SET dataset_id = excluded.dataset_id, source = excluded.source,
			signature = excluded.signature, state = excluded.state, error = excluded.error,
			analyzed_at = excluded.analyzed_at, extras = excluded.extras, extras_written = excluded.extras_written,
			tabular = excluded.tabular, map_kind = excluded.map_kind, geojson = excluded.geojson,
			location = excluded.location, validation = excluded.validation, attempts = excluded.attempts`,
		rec.ResourceID, rec.DatasetID, rec.Source, rec.Signature, rec.State, rec.Error, rec.AnalyzedAt.UnixMicro(),
		string(orEmpty(rec.Extras, "{}")), boolInt(rec.ExtrasWritten), boolInt(rec.Tabular), rec.MapKind,
		string(rec.GeoJSON), string(rec.Location), string(rec.Validation), rec.Attempts)
	if err != nil {
		return fmt.Errorf("put preview record %s: %w", rec.ResourceID, err)
	}
	return nil
}

// Get returns the record of resource rid, or ErrNotFound.
func (s *Store) Get(ctx context.Context, rid string) (*Record, error) {
	var (
		r                      Record
		at                     int64
		written, tabular       int
		extras, geo, loc, vali string
	)
	err := s.db.QueryRowContext(ctx, `SELECT `+columns+` FROM preview_resources WHERE resource_id = ?`, rid).Scan(
		&r.ResourceID, &r.DatasetID, &r.Source, &r.Signature, &r.State, &r.Error, &at, &extras,
		&written, &tabular, &r.MapKind, &geo, &loc, &vali, &r.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("resource %s: %w", rid, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get preview record %s: %w", rid, err)
	}
	r.AnalyzedAt = time.UnixMicro(at).UTC()
	r.ExtrasWritten, r.Tabular = written != 0, tabular != 0
	r.Extras, r.GeoJSON, r.Location, r.Validation = []byte(extras), nullable(geo), nullable(loc), nullable(vali)
	return &r, nil
}

// MarkExtrasWritten records that the catalog has rid's extras.
func (s *Store) MarkExtrasWritten(ctx context.Context, rid string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE preview_resources SET extras_written = 1 WHERE resource_id = ?`, rid); err != nil {
		return fmt.Errorf("mark extras of %s written: %w", rid, err)
	}
	return nil
}

// Delete forgets resource rid.
func (s *Store) Delete(ctx context.Context, rid string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM preview_resources WHERE resource_id = ?`, rid); err != nil {
		return fmt.Errorf("delete preview record %s: %w", rid, err)
	}
	return nil
}

// Handled says whether event id was handled already.
func (s *Store) Handled(ctx context.Context, id string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM preview_handled_events WHERE event_id = ?`, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up event %s: %w", id, err)
	}
	return n > 0, nil
}

// MarkHandled records event id as handled.
func (s *Store) MarkHandled(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO preview_handled_events (event_id, handled_at) VALUES (?, ?)
		ON CONFLICT (event_id) DO NOTHING`, id, at.UnixMicro())
	if err != nil {
		return fmt.Errorf("mark event %s handled: %w", id, err)
	}
	return nil
}

// ForgetHandledBefore drops the ids of events handled before t: JetStream
// keeps events for a bounded time, older ids cannot come back.
func (s *Store) ForgetHandledBefore(ctx context.Context, t time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM preview_handled_events WHERE handled_at < ?`, t.UnixMicro()); err != nil {
		return fmt.Errorf("forget handled events: %w", err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func orEmpty(b []byte, def string) []byte {
	if len(b) == 0 {
		return []byte(def)
	}
	return b
}

func nullable(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}
