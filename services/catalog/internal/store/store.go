package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sync/atomic"

	"github.com/relais-data/relais/pkg/sqldb"
)

// MigrationSet names the catalog's migrations in schema_migrations.
const MigrationSet = "catalog"

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the catalog tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("catalog migrations: %w", err)
	}
	if err := db.Migrate(ctx, MigrationSet, sub); err != nil {
		return fmt.Errorf("migrate catalog: %w", err)
	}
	return nil
}

// querier is what *sqldb.DB and *sqldb.Tx have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Q runs the store's queries on the database or inside a transaction.
type Q struct {
	q  querier
	tx *sqldb.Tx
}

// Tx is the transaction Q runs in, or nil outside one.
func (q Q) Tx() *sqldb.Tx { return q.tx }

// Store is the catalog's database.
type Store struct {
	Q
	db     *sqldb.DB
	counts *countCache
	// generation changes after every write transaction, so that cached
	// counts taken before it are ignored.
	generation atomic.Uint64
}

// New returns a store on db (already migrated).
func New(db *sqldb.DB) *Store {
	s := &Store{Q: Q{q: db}, db: db}
	s.counts = newCountCache(&s.generation)
	return s
}

// DB returns the underlying database.
func (s *Store) DB() *sqldb.DB { return s.db }

// InTx runs fn in a write transaction.
func (s *Store) InTx(ctx context.Context, fn func(q Q) error) error {
	defer s.generation.Add(1)
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return fn(Q{q: tx, tx: tx})
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nullMicros turns a zero time into NULL.
func nullMicros(us int64) any {
	if us == 0 {
		return nil
	}
	return us
}

// Generation changes after every write transaction of this store; caches
// of read results compare it to drop what a write made stale.
func (s *Store) Generation() uint64 { return s.generation.Load() }
