package relais

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSessionKeyKept: -target=all makes its session key once, mode 0600,
// and finds the same one at the next start (a restart signs no agent
// out); a configured key is used as given, and a gateway alone makes none.
func TestSessionKeyKept(t *testing.T) {
	dir := t.TempDir()
	first := Config{Target: "all", DataDir: dir}
	if err := first.ensureSessionKey(); err != nil {
		t.Fatal(err)
	}
	key, err := base64.StdEncoding.DecodeString(first.Gateway.SessionKey)
	if err != nil || len(key) != 32 {
		t.Fatalf("session key %q: %v", first.Gateway.SessionKey, err)
	}
	st, err := os.Stat(filepath.Join(dir, "session-key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("session-key file: %v %v", st, err)
	}
	again := Config{Target: "all", DataDir: dir}
	if err := again.ensureSessionKey(); err != nil || again.Gateway.SessionKey != first.Gateway.SessionKey {
		t.Fatalf("restart: key %q, want %q (%v)", again.Gateway.SessionKey, first.Gateway.SessionKey, err)
	}

	given := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	set := Config{Target: "all", DataDir: t.TempDir()}
	set.Gateway.SessionKey = given
	if err := set.ensureSessionKey(); err != nil || set.Gateway.SessionKey != given {
		t.Fatalf("a configured key is replaced: %q %v", set.Gateway.SessionKey, err)
	}
	alone := Config{Target: "gateway", DataDir: t.TempDir()}
	if err := alone.ensureSessionKey(); err != nil || alone.Gateway.SessionKey != "" {
		t.Fatalf("a gateway alone made a key: %q %v", alone.Gateway.SessionKey, err)
	}
	assertEmpty(t, alone.DataDir)

	// A damaged file is an error, not a silent new key.
	if err := os.WriteFile(filepath.Join(dir, "session-key"), []byte("abimé\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := (&Config{Target: "all", DataDir: dir}).ensureSessionKey(); err == nil || !strings.Contains(err.Error(), "session-key") {
		t.Fatalf("damaged file: %v", err)
	}
}

// TestSessionKeyRedacted: `relais config` hides the key.
func TestSessionKeyRedacted(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	var out bytes.Buffer
	err := Main(context.Background(), []string{"config", "-target=gateway", "-storage.service_token=t", "-gateway.session_key=" + key,
		"-data_dir=" + t.TempDir()}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), key) || !strings.Contains(out.String(), "session_key: <redacted>") {
		t.Fatalf("relais config shows the session key:\n%s", out.String())
	}
}
