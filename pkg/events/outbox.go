package events

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// OutboxMigrationSet is the migration set name under which the outbox table
// is created.
const OutboxMigrationSet = "outbox"

//go:embed migrations/*.sql
var outboxMigrations embed.FS

// OutboxMigrations returns the migrations of the outbox table, to apply with
// db.Migrate(ctx, OutboxMigrationSet, OutboxMigrations()), or use
// MigrateOutbox.
func OutboxMigrations() fs.FS {
	sub, err := fs.Sub(outboxMigrations, "migrations")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// MigrateOutbox creates or upgrades the outbox table in db.
func MigrateOutbox(ctx context.Context, db *sqldb.DB) error {
	if err := db.Migrate(ctx, OutboxMigrationSet, OutboxMigrations()); err != nil {
		return fmt.Errorf("migrate outbox: %w", err)
	}
	return nil
}

// Enqueue writes m to the outbox inside the caller's transaction, so that it
// is published if and only if the transaction commits. Trace context from ctx
// is stored with it. Call Relay.Notify after the commit to publish at once.
func Enqueue(ctx context.Context, tx *sqldb.Tx, m Message) error {
	if err := m.validate(); err != nil {
		return fmt.Errorf("enqueue event %s: %w", m.ID, err)
	}
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	hdr, err := json.Marshal(injectTrace(ctx, m.Header))
	if err != nil {
		return fmt.Errorf("enqueue event %s: encode headers: %w", m.ID, err)
	}
	data := m.Data
	if data == nil {
		data = []byte{}
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO outbox (id, subject, type, data, headers, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		m.ID, m.Subject, m.Type, data, string(hdr), m.Time.UnixMicro())
	if err != nil {
		return fmt.Errorf("enqueue event %s: %w", m.ID, err)
	}
	return nil
}
