package relais

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
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

// TestPortalSessionSurvivesRestart: an agent signed in to the portal of
// -target=all is still signed in after a restart on the same data
// directory (the key is kept there), as a rolling upgrade needs.
func TestPortalSessionSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const password = "un mot de passe d'agent"
	if err := Main(ctx, []string{"admin", "create-user", "--email", "agent@example.org", "--first-name", "Camille", "-data_dir=" + dir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := setPassword(ctx, []string{"--email", "agent@example.org", "--password-stdin", "-data_dir=" + dir}, strings.NewReader(password+"\n"), io.Discard); err != nil {
		t.Fatal(err)
	}
	start := func() (string, func()) {
		cfg := DefaultConfig()
		cfg.DataDir = dir
		cfg.Log.Level = "warn"
		cfg.AdminAddr, cfg.Gateway.Addr, cfg.Gateway.GRPCAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
		for _, a := range []*string{&cfg.Catalog.GRPCAddr, &cfg.Storage.GRPCAddr, &cfg.Preview.GRPCAddr, &cfg.Search.GRPCAddr,
			&cfg.Analytics.GRPCAddr, &cfg.Harvest.GRPCAddr} {
			*a = "127.0.0.1:0"
		}
		r, err := New(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- r.Run(runCtx) }()
		select {
		case <-r.Started():
		case err := <-done:
			cancel()
			t.Fatalf("relais stopped before it was ready: %v", err)
		}
		return "http://" + r.HTTPAddr().String(), func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("relais run: %v", err)
			}
		}
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(url string) (int, string) {
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	base, stop := start()
	_, form := get(base + "/connexion/")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("no CSRF token in the sign-in form:\n%s", form)
	}
	resp, err := c.PostForm(base+"/connexion/", url.Values{"csrf": {m[1]}, "email": {"agent@example.org"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	if status, _ := get(base + "/espace/"); status != http.StatusOK {
		t.Fatalf("/espace/ after sign-in: %d", status)
	}
	stop()

	base, stop = start()
	defer stop()
	if status, body := get(base + "/espace/"); status != http.StatusOK || !strings.Contains(body, "Se déconnecter") {
		t.Fatalf("/espace/ after a restart: %d (want 200, still signed in)", status)
	}
}
