package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/relais-data/relais/pkg/sqldb"
)

// MigrationSet names the storage tables' migrations.
const MigrationSet = "storage"

//go:embed migrations/*.sql
var migrations embed.FS

// Errors of the store, tested with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	// ErrKeyTaken: another file holds (or is reserving) the key.
	ErrKeyTaken = errors.New("key taken")
	// ErrReservationLost: a pending row disappeared before its commit (it
	// was collected as stale).
	ErrReservationLost = errors.New("key reservation lost")
)

// Store reads and writes the storage tables.
type Store struct {
	db *sqldb.DB
}

// New returns a store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// DB returns the database, for transactions that span the outbox.
func (s *Store) DB() *sqldb.DB { return s.db }

// Migrate creates or upgrades the storage tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate storage: %w", err)
	}
	if err := db.Migrate(ctx, MigrationSet, sub); err != nil {
		return fmt.Errorf("migrate storage: %w", err)
	}
	return nil
}
