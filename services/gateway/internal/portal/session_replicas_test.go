package portal_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/portal"
)

// checkTTL is the replicas' CheckTTL in these tests.
const checkTTL = 5 * time.Second

// replica starts another portal, as another gateway replica would run,
// over the site's catalog and API, with these session keys and the site's
// clock; the returned site is s as seen through it, and stop ends it (a
// gateway going down).
func (s *agentSite) replica(t *testing.T, keys ...[]byte) (*agentSite, func()) {
	t.Helper()
	p, err := portal.New(portal.Options{Catalog: s.env.Catalog, API: s.env.Handler, PublicURL: s.env.URL,
		Sessions: portal.SessionOptions{Keys: keys, TTL: time.Hour, CheckTTL: checkTTL, Now: s.clock.now}})
	require.NoError(t, err)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	r := *s
	r.url = srv.URL
	return &r, srv.Close
}

func sessionKey(b byte) []byte { return bytes.Repeat([]byte{b}, portal.SessionKeySize) }

// TestSessionAcrossReplicas: a session opened on one gateway replica is
// accepted by another with the same key, and by a gateway restarted with
// it; a gateway with another key ignores it; signing out on one replica
// signs the agent out on the others once their last answer from the
// catalog is older than CheckTTL. (Cookies do not tell ports apart, so one
// browser's jar reaches every replica, as through a load balancer.)
func TestSessionAcrossReplicas(t *testing.T) {
	s := newAgentSite(t)
	key := sessionKey(7)
	a, stopA := s.replica(t, key)
	b, _ := s.replica(t, key)
	foreign, _ := s.replica(t, sessionKey(8))
	c := s.browser(t)

	status, loc := a.signIn(t, c, "agent@mairie.example", agentPassword)
	require.Equal(t, http.StatusSeeOther, status, loc)
	u, _ := url.Parse(s.url)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "relais_session" {
			t.Logf("session cookie with a catalog token: %d bytes", len(ck.String()))
			require.Less(t, len(ck.String()), 1024, "far below browsers' 4 KB")
		}
	}
	status, body, csrf := b.page(t, c, "/espace/")
	require.Equal(t, http.StatusOK, status, "replica b accepts a's session")
	require.Contains(t, body, "Se déconnecter")
	require.NotEmpty(t, csrf)
	status, body, _ = b.page(t, c, "/espace/api/1/me/")
	require.Equal(t, http.StatusOK, status, "b relays as the agent")
	require.Contains(t, body, `"email": "agent@mairie.example"`)

	status, loc, _ = foreign.page(t, c, "/espace/")
	require.Equal(t, http.StatusSeeOther, status, "a gateway with another key ignores the cookie")
	require.Equal(t, "/connexion/?next=%2Fespace%2F", loc)
	_, body, _ = foreign.page(t, c, "/")
	require.Contains(t, body, "Se connecter")

	// a goes down and comes back (a restart, a rolling upgrade).
	stopA()
	a, _ = s.replica(t, key)
	status, _, _ = a.page(t, c, "/espace/jetons/")
	require.Equal(t, http.StatusOK, status, "the session survives the restart")

	// Rotation: a new key first, the old one kept, opens the session; a
	// new sign-in is sealed with the new key.
	rotated, _ := s.replica(t, sessionKey(9), key)
	status, _, _ = rotated.page(t, c, "/espace/")
	require.Equal(t, http.StatusOK, status, "the old key of a rotation still opens")

	// A form from b's page is accepted by a (the CSRF token is the
	// session's, whichever replica shows it); a wrong one is refused.
	status, _ = a.post(t, c, "/espace/jetons/", url.Values{"csrf": {"x" + csrf[1:]}, "name": {"Refusé"}})
	require.Equal(t, http.StatusForbidden, status)
	status, _ = a.post(t, c, "/espace/jetons/", url.Values{"csrf": {csrf}, "name": {"Depuis la réplique a"}})
	require.Equal(t, http.StatusOK, status)

	// Sign out on a: a forgets at once; b, which asked the catalog
	// moments ago, follows within CheckTTL.
	saved := c.Jar.Cookies(u)
	copyOf := func() *http.Client { // another browser with the cookie as it was
		cc := s.browser(t)
		cc.Jar.SetCookies(u, saved)
		return cc
	}
	onB := copyOf()
	status, _, _ = b.page(t, onB, "/espace/")
	require.Equal(t, http.StatusOK, status)
	status, loc = a.post(t, c, "/deconnexion/", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, status, loc)
	status, _, _ = a.page(t, copyOf(), "/espace/")
	require.Equal(t, http.StatusSeeOther, status, "the replica that signed out refuses a copy of the cookie at once")
	_, body, _ = b.page(t, onB, "/")
	require.Contains(t, body, "Se déconnecter", "b's answer from the catalog is still fresh: the CheckTTL window")
	s.clock.add(checkTTL + time.Second)
	status, loc, _ = b.page(t, copyOf(), "/espace/")
	require.Equal(t, http.StatusSeeOther, status, "b refuses the session: its token is revoked")
	require.Equal(t, "/connexion/?next=%2Fespace%2F", loc)
	status, body, _ = b.page(t, copyOf(), "/espace/api/1/me/")
	require.Equal(t, http.StatusUnauthorized, status, body)
	status, _ = b.post(t, copyOf(), "/espace/jetons/", url.Values{"csrf": {csrf}, "name": {"Après la déconnexion"}})
	require.Equal(t, http.StatusUnauthorized, status)
	status, body, _ = rotated.page(t, copyOf(), "/")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Se connecter", "a public page shows no agent signed in")
	require.NotContains(t, body, "Se déconnecter")
}

// TestSessionRevokedElsewhere: a session whose token is revoked outside
// the portal (here through the API, as a script of the agent would) acts
// as signed out on every page, public ones included, once the portal's
// last answer from the catalog is older than CheckTTL.
func TestSessionRevokedElsewhere(t *testing.T) {
	s := newAgentSite(t)
	a, _ := s.replica(t, sessionKey(7))
	c := s.browser(t)
	status, _ := a.signIn(t, c, "agent@mairie.example", agentPassword)
	require.Equal(t, http.StatusSeeOther, status)
	_, body, _ := a.page(t, c, "/")
	require.Contains(t, body, "Se déconnecter", "the public pages show the agent signed in")

	ctx := grpcx.WithAPIKey(context.Background(), s.token)
	list, err := s.env.Catalog.ListApiTokens(ctx, &catalogv1.ListApiTokensRequest{})
	require.NoError(t, err)
	var revoked int
	for _, tok := range list.GetTokens() {
		if tok.GetName() == "Session du portail" {
			_, err := s.env.Catalog.RevokeApiToken(ctx, &catalogv1.RevokeApiTokenRequest{Id: tok.GetId()})
			require.NoError(t, err)
			revoked++
		}
	}
	require.Equal(t, 1, revoked)

	s.clock.add(checkTTL + time.Second)
	_, body, _ = a.page(t, c, "/")
	require.Contains(t, body, "Se connecter")
	require.NotContains(t, body, "Se déconnecter")
	status, _, _ = a.page(t, c, "/espace/")
	require.Equal(t, http.StatusSeeOther, status)
	u, _ := url.Parse(s.url)
	for _, ck := range c.Jar.Cookies(u) {
		require.NotEqual(t, "relais_session", ck.Name, "the refused cookie is cleared")
	}
}
