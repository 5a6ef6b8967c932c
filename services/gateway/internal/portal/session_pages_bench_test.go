package portal_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/relais-data/relais/services/gateway/internal/portal"
)

// BenchmarkSessionCheck measures what the catalog check of a session adds
// to a page: the tokens page, and the relay's GET /espace/api/1/me/, with
// the catalog's answer fresh (CheckTTL) and asked on every request (a
// CheckTTL of a nanosecond: one GetMe over real gRPC each time).
//
//	go test -run '^$' -bench BenchmarkSessionCheck -benchtime 200x ./services/gateway/internal/portal/
func BenchmarkSessionCheck(b *testing.B) {
	s := newAgentSite(b)
	key := sessionKey(7)
	for _, tc := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", time.Hour}, {"uncached", time.Nanosecond}} {
		p, err := portal.New(portal.Options{Catalog: s.env.Catalog, API: s.env.Handler, PublicURL: s.env.URL,
			Sessions: portal.SessionOptions{Keys: [][]byte{key}, TTL: time.Hour, CheckTTL: tc.ttl}})
		if err != nil {
			b.Fatal(err)
		}
		r := *s
		r.url = serve(b, p)
		c := r.browser(b)
		if status, _ := r.signIn(b, c, "agent@mairie.example", agentPassword); status != http.StatusSeeOther {
			b.Fatalf("sign-in: %d", status)
		}
		for _, path := range []string{"/espace/jetons/", "/espace/api/1/me/"} {
			b.Run(tc.name+path, func(b *testing.B) {
				for b.Loop() {
					resp, err := c.Get(r.url + path)
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Fatalf("%s: %v %v", path, resp.StatusCode, err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		}
	}
}

// serve serves h until the benchmark ends and returns its URL.
func serve(tb testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}
