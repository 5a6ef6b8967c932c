package portal_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkAgentPages measures an agent's pages over a real catalog:
// signing in (the catalog's argon2id check and a session token) and the
// pages they use most. Figures per operation:
//
//	go test -run '^$' -bench BenchmarkAgentPages -benchtime 50x ./services/gateway/internal/portal/
func BenchmarkAgentPages(b *testing.B) {
	s := newAgentSite(b)
	b.Run("sign-in", func(b *testing.B) {
		for b.Loop() {
			c := s.browser(b) // a new visitor each time
			resp, err := c.Get(s.url + "/connexion/")
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			m := csrfInput.FindSubmatch(body)
			resp, err = c.PostForm(s.url+"/connexion/", url.Values{"csrf": {string(m[1])}, "email": {"agent@mairie.example"}, "password": {agentPassword}})
			if err != nil || resp.StatusCode != http.StatusSeeOther {
				b.Fatalf("sign-in: %v %v", resp.StatusCode, err)
			}
			resp.Body.Close()
		}
	})
	c := s.browser(b)
	if status, _ := s.signIn(b, c, "agent@mairie.example", agentPassword); status != http.StatusSeeOther {
		b.Fatalf("sign-in: %d", status)
	}
	for _, path := range []string{"/espace/", "/espace/jeux/nouveau/", "/espace/jetons/"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				resp, err := c.Get(s.url + path)
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: %v %v", path, resp.StatusCode, err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
