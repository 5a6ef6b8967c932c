package relais

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relais-data/relais/pkg/sqldb"
)

// `relais migrate` is what the Helm chart's pre-install/pre-upgrade Job
// runs: it must migrate an empty database, be idempotent, and leave a
// database the services (here `admin create-user`) start on.
func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	for i := range 2 {
		var out bytes.Buffer
		if err := Main(context.Background(), []string{"migrate", "-data_dir=" + dir}, &out, io.Discard); err != nil {
			t.Fatalf("migrate (run %d): %v", i+1, err)
		}
		if !strings.Contains(out.String(), "catalog database (sqlite) migrated") || !strings.Contains(out.String(), "storage database (sqlite) migrated") {
			t.Fatalf("migrate prints what it did, got %q", out.String())
		}
	}
	for _, db := range []string{"catalog.db", "storage.db"} {
		if _, err := os.Stat(filepath.Join(dir, db)); err != nil {
			t.Fatalf("migrate created no %s: %v", db, err)
		}
	}
	var out bytes.Buffer
	err := Main(context.Background(), []string{"admin", "create-user", "--email", "a@example.org", "-data_dir=" + dir}, &out, io.Discard)
	if err != nil {
		t.Fatalf("create-user after migrate: %v", err)
	}
}

// `relais migrate` migrates the storage service's database too: its tables
// and its outbox exist afterwards, in a file of its own or in the
// catalog's database when both share one (the Helm chart's default).
func TestMigrateStorage(t *testing.T) {
	for _, shared := range []bool{false, true} {
		dir := t.TempDir()
		args := []string{"migrate", "-data_dir=" + dir}
		dbFile := filepath.Join(dir, "storage.db")
		if shared {
			dbFile = filepath.Join(dir, "catalog.db")
			args = append(args, "-storage.db.dsn="+dbFile)
		}
		if err := Main(context.Background(), args, io.Discard, io.Discard); err != nil {
			t.Fatalf("migrate (shared %v): %v", shared, err)
		}
		db, err := sqldb.Open(context.Background(), sqldb.Config{Driver: "sqlite", DSN: dbFile})
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"storage_files", "storage_chunked_uploads", "storage_chunk_parts", "outbox"} {
			var n int
			if err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
				t.Errorf("shared %v: table %s: %v", shared, table, err)
			}
		}
		db.Close()
	}
	// The checks come before any database is opened.
	dir := t.TempDir()
	err := Main(context.Background(), []string{"migrate", "-data_dir=" + dir, "-storage.db.driver=postgres"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "storage.db.dsn (RELAIS_STORAGE_DB_DSN) is required") {
		t.Fatalf("migrate without the storage DSN: %v", err)
	}
	assertEmpty(t, dir)
}
