package relais

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/relais-data/relais/pkg/sqldb"
)

// TestSetPassword: `relais admin set-password --password-stdin` sets the
// password the catalog's SignIn then accepts; a short one or a missing
// flag is refused.
func TestSetPassword(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := Main(ctx, []string{"admin", "create-user", "--email", "agent@example.org", "-data_dir=" + dir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := setPassword(ctx, []string{"--email", "agent@example.org", "--password-stdin", "-data_dir=" + dir},
		strings.NewReader("un long mot de passe\n"), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "password of agent@example.org set") {
		t.Fatalf("output: %q", out.String())
	}
	if err := setPassword(ctx, []string{"--email", "agent@example.org", "--password-stdin", "-data_dir=" + dir},
		strings.NewReader("court\n"), io.Discard); err == nil || !strings.Contains(err.Error(), "at least 12") {
		t.Fatalf("a short password: %v", err)
	}
	if err := setPassword(ctx, []string{"--email", "agent@example.org", "-data_dir=" + dir}, strings.NewReader("x\n"), io.Discard); err == nil {
		t.Fatal("no --password-stdin: want the usage")
	}

	// The catalog's database holds its argon2id hash (SignIn's own tests
	// check that it opens a session).
	cfg, err := loadConfig([]string{"-data_dir=" + dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.finish(); err != nil {
		t.Fatal(err)
	}
	if err := cfg.ensureTokenSecret(); err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(ctx, cfg.Catalog.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var hash string
	if err := db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE email = ?`, "agent@example.org").Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$") {
		t.Fatalf("stored hash %q: want argon2id", hash)
	}
}
