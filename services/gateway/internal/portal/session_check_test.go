package portal

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// TestSessionCatalogDown: when the catalog cannot say whether a session's
// token is good, an agent's page and the relay answer 503 and keep the
// cookie (the session is not ended for a catalog's outage), and a page
// shows no agent. The catalog here is a closed port: the real "down".
func TestSessionCatalogDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conn, err := grpcx.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	p, err := New(Options{Catalog: catalogv1.NewCatalogServiceClient(conn), API: http.NotFoundHandler(),
		Sessions: SessionOptions{Keys: [][]byte{testKey(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	sess := testSession(time.Now())
	sealed, err := p.sealer.seal(sess)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: sealed})
		w := httptest.NewRecorder()
		p.ServeHTTP(w, r)
		return w
	}
	for _, path := range []string{"/espace/", "/espace/api/1/me/"} {
		w := get(path)
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("%s: %d, want 503", path, w.Code)
		}
		if c := w.Header().Get("Set-Cookie"); strings.Contains(c, sessionCookie) {
			t.Errorf("%s clears the session: %s", path, c)
		}
	}
	w := get("/connexion/")
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "Se déconnecter") {
		t.Errorf("sign-in page: %d, shows an agent: %v", w.Code, strings.Contains(w.Body.String(), "Se déconnecter"))
	}

	// Signing out while the catalog cannot revoke the token (its answer
	// of a moment ago still fresh): the agent is told, and stays signed
	// in to try again, since a copy of the cookie would still work.
	p.checks.remember(sess.tokenID, tokenCheck{live: true, until: time.Now().Add(time.Minute)})
	r := httptest.NewRequest(http.MethodPost, "/deconnexion/", strings.NewReader("csrf="+sess.csrf))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: sealed})
	w = httptest.NewRecorder()
	p.ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Header().Get("Set-Cookie"), sessionCookie) {
		t.Errorf("sign-out without the catalog: %d, Set-Cookie %q", w.Code, w.Header().Get("Set-Cookie"))
	}
	if live, err := p.checks.live(r.Context(), sess); !live || err != nil {
		t.Errorf("the session ended without its token revoked: %v %v", live, err)
	}
}
