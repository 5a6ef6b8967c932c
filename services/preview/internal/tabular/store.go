package tabular

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// MigrationSet names the tabular store's migrations.
const MigrationSet = "tabular"

//go:embed migrations/*.sql
var migrations embed.FS

// staleBuild is how old a table still being built must be for Open to
// consider its loader dead and drop it.
const staleBuild = 6 * time.Hour

// Store holds the tables of the resources and answers api-tabular's queries
// on them. It is safe for concurrent use.
type Store struct {
	db   *sqldb.DB
	duck *sql.DB // the DuckDB engine's data tables; nil for the SQL engine
	opt  Options
	// counts memoizes the totals of filtered queries: paging through one
	// filter counts its rows once.
	counts *memo[int64]
	// indexing counts the index builds running after loads; Close cancels
	// them through closing and waits for them.
	indexing sync.WaitGroup
	closeMu  sync.Mutex
	closing  context.Context
	close    context.CancelFunc
	// bulkLoads counts the SQLite loads running, bulkRestore restores the
	// writer's settings after the last (see bulkLoad).
	bulkMu      sync.Mutex
	bulkLoads   int
	bulkRestore func()
}

// Options tune a Store; the zero value means the defaults.
type Options struct {
	// MaxPageSize caps page_size (api-tabular's PAGE_SIZE_MAX is 50).
	MaxPageSize int
	// IndexedColumns is how many columns, from the first, get an index after
	// a load (JSON columns excepted): each speeds filters and sorts on its
	// column and costs load time (see BenchmarkLoad). Negative: none.
	IndexedColumns int
	// RetiredGrace is how long a replaced or dropped table stays for the
	// queries that looked it up just before (default a minute; negative:
	// dropped at once).
	RetiredGrace time.Duration
	// Engine is where the data tables live: EngineSQL (the default) or
	// EngineDuckDB, configured by DuckDB. Open and Close go together then.
	Engine string
	DuckDB DuckDBOptions
	// Log receives the failures of the index builds that run after loads
	// (default slog.Default()).
	Log *slog.Logger
}

// Defaults of Options.
const (
	DefaultPageSize       = 20
	DefaultMaxPageSize    = 1000
	DefaultIndexedColumns = 32
	DefaultRetiredGrace   = time.Minute
)

// Open migrates the store's tables on db, drops what crashed loads left and
// resumes the index builds a stop interrupted.
func Open(ctx context.Context, db *sqldb.DB) (*Store, error) {
	return OpenWith(ctx, db, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, db *sqldb.DB, opt Options) (*Store, error) {
	if opt.MaxPageSize <= 0 {
		opt.MaxPageSize = DefaultMaxPageSize
	}
	if opt.IndexedColumns == 0 {
		opt.IndexedColumns = DefaultIndexedColumns
	}
	if opt.RetiredGrace == 0 {
		opt.RetiredGrace = DefaultRetiredGrace
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrate tabular store: %w", err)
	}
	if err := db.Migrate(ctx, MigrationSet, sub); err != nil {
		return nil, fmt.Errorf("migrate tabular store: %w", err)
	}
	duck, err := openEngine(opt)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, duck: duck, opt: opt, counts: newMemo[int64](10_000)}
	s.closing, s.close = context.WithCancel(context.Background())
	if err := s.dropStaleBuilds(ctx, time.Now().Add(-staleBuild)); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.indexUnfinished(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// table is a registry row: a resource's current data table.
type table struct {
	rid       string
	name      string // the data table
	cols      []Column
	naive     []bool // per column: a datetime column without zones
	profile   string
	url       string
	datasetID string
	rows      int64
	createdAt int64 // unix microseconds
}

// lookup returns the current table of rid, or a 404 *Error.
func (s *Store) lookup(ctx context.Context, rid string) (*table, error) {
	if cleanText(rid) != rid {
		return nil, notFound() // could not have been loaded
	}
	t := &table{rid: rid}
	var cols string
	err := s.db.QueryRowContext(ctx, `SELECT table_name, columns, profile, url, dataset_id, row_count, created_at
		FROM tabular_tables WHERE rid = ?`, rid).
		Scan(&t.name, &cols, &t.profile, &t.url, &t.datasetID, &t.rows, &t.createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmt.Errorf("look up table of resource %s: %w", rid, err)
	}
	var rcols []registryColumn
	if err := json.Unmarshal([]byte(cols), &rcols); err != nil {
		return nil, fmt.Errorf("look up table of resource %s: columns: %w", rid, err)
	}
	t.cols = make([]Column, len(rcols))
	t.naive = make([]bool, len(rcols))
	for i, c := range rcols {
		t.cols[i] = Column{Name: c.Name, Type: c.Type}
		t.naive[i] = c.Naive
	}
	return t, nil
}

// withTable runs fn on the current table of rid. A reload swaps the table
// but keeps the old one for RetiredGrace, so fn's queries find it; should a
// query outlast that, fn fails and runs once more on the new table.
func (s *Store) withTable(ctx context.Context, rid string, fn func(t *table) error) error {
	t, err := s.lookup(ctx, rid)
	if err != nil {
		return err
	}
	err = fn(t)
	var clientErr *Error
	if err == nil || errors.As(err, &clientErr) || ctx.Err() != nil {
		return err
	}
	again, lerr := s.lookup(ctx, rid)
	if lerr != nil || again.name == t.name {
		return err // not a swap
	}
	return fn(again)
}

// Drop removes the table of rid; dropping an unknown resource is not an
// error.
func (s *Store) Drop(ctx context.Context, rid string) error {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := unregister(ctx, tx, rid)
		if err != nil {
			return err
		}
		return s.retire(ctx, tx, old)
	})
	if err != nil {
		return fmt.Errorf("drop table of resource %s: %w", rid, err)
	}
	return nil
}

// retire lists table old ("" for none) as retired and drops the tables
// retired for longer than RetiredGrace.
func (s *Store) retire(ctx context.Context, tx *sqldb.Tx, old string) error {
	now := time.Now()
	if old != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tabular_retired (table_name, retired_at) VALUES (?, ?)`,
			old, now.UnixMicro()); err != nil {
			return err
		}
	}
	cutoff := now.Add(-s.opt.RetiredGrace).UnixMicro()
	rows, err := tx.QueryContext(ctx, `SELECT table_name FROM tabular_retired WHERE retired_at <= ?`, cutoff)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range names {
		if err := s.dropData(ctx, tx, n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tabular_retired WHERE table_name = ?`, n); err != nil {
			return err
		}
	}
	return nil
}

// unregister deletes the registry row of rid and returns the table it named
// ("" when there was none). The DELETE takes the row's lock in PostgreSQL,
// so that concurrent swaps of one resource queue.
func unregister(ctx context.Context, tx *sqldb.Tx, rid string) (string, error) {
	var old string
	err := tx.QueryRowContext(ctx, `DELETE FROM tabular_tables WHERE rid = ? RETURNING table_name`, rid).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return old, err
}

// dropStaleBuilds drops the tables whose build started before t: their
// loader died (a live one finishes or cleans up well before).
func (s *Store) dropStaleBuilds(ctx context.Context, before time.Time) error {
	rows, err := s.db.QueryContext(ctx, `SELECT table_name FROM tabular_building WHERE started_at < ?`, before.UnixMicro())
	if err != nil {
		return fmt.Errorf("list stale table builds: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("list stale table builds: %w", err)
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list stale table builds: %w", err)
	}
	for _, n := range names {
		if err := s.abandon(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// abandon drops a table being built and forgets it.
func (s *Store) abandon(ctx context.Context, name string) error {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := s.dropData(ctx, tx, name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM tabular_building WHERE table_name = ?`, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("drop unfinished table %s: %w", name, err)
	}
	return nil
}

// lookupColumn returns the index of the column called name in t, -1 for
// __id.
func (t *table) lookupColumn(name string) (int, bool) {
	if name == idColumn {
		return -1, true
	}
	for i, c := range t.cols {
		if c.Name == name {
			return i, true
		}
	}
	return 0, false
}

// colName and colType describe column i of t (-1 is __id).
func (t *table) colName(i int) string {
	if i < 0 {
		return idColumn
	}
	return t.cols[i].Name
}

func (t *table) colType(i int) string {
	if i < 0 {
		return TypeInt
	}
	return t.cols[i].Type
}

// outputType is how values of column i are written: its type, but
// typeNaiveDatetime for a datetime column without zones.
func (t *table) outputType(i int) string {
	if i >= 0 && i < len(t.naive) && t.naive[i] {
		return typeNaiveDatetime
	}
	return t.colType(i)
}

func sqlColumn(i int) string {
	if i < 0 {
		return quote(idColumn)
	}
	return quote(physical(i))
}
