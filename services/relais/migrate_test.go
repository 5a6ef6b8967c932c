package relais

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		if !strings.Contains(out.String(), "migrated") {
			t.Fatalf("migrate prints what it did, got %q", out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "catalog.db")); err != nil {
		t.Fatalf("migrate created no catalog database: %v", err)
	}
	var out bytes.Buffer
	err := Main(context.Background(), []string{"admin", "create-user", "--email", "a@example.org", "-data_dir=" + dir}, &out, io.Discard)
	if err != nil {
		t.Fatalf("create-user after migrate: %v", err)
	}
}
