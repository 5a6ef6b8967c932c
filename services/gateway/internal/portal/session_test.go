package portal

import (
	"net/http"
	"testing"
	"time"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// TestCookies: HttpOnly and SameSite=Lax always, Secure when the public
// URL is https.
func TestCookies(t *testing.T) {
	for url, secure := range map[string]bool{"https://data.example.fr": true, "HTTPS://data.example.fr": true, "http://localhost:8080": false} {
		p, err := New(Options{Catalog: catalogv1.NewCatalogServiceClient(nil), PublicURL: url})
		if err != nil {
			t.Fatal(err)
		}
		c := p.cookie(sessionCookie, "x", 60)
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.Path != "/" {
			t.Errorf("%s: cookie %+v", url, c)
		}
	}
}

// TestSessionsExpire: a session is gone at its expiry, and expired ones
// are swept as new ones come.
func TestSessionsExpire(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := newSessions(func() time.Time { return now })
	a := &session{userID: "a", expires: now.Add(time.Hour)}
	s.add(a)
	if a.id == "" || a.csrf == "" || a.id == a.csrf {
		t.Fatalf("session ids: %q %q", a.id, a.csrf)
	}
	if s.get(a.id) != a {
		t.Fatal("a live session is found")
	}
	now = now.Add(time.Hour)
	if s.get(a.id) != nil {
		t.Fatal("an expired session is not")
	}
	b := &session{userID: "b", expires: now.Add(-time.Second)}
	s.m["old"] = b
	s.add(&session{userID: "c", expires: now.Add(time.Hour)})
	if _, ok := s.m["old"]; ok || len(s.m) != 1 {
		t.Fatalf("expired sessions kept: %d", len(s.m))
	}
}
