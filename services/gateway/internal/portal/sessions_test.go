package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// TestCSRFRefused: a form without the session's token, or with another
// one, changes nothing; nor does a sign-in without the form's cookie.
func TestCSRFRefused(t *testing.T) {
	s := newAgentSite(t)
	c := s.browser(t)
	status, _ := s.signIn(t, c, "agent@mairie.example", agentPassword)
	require.Equal(t, http.StatusSeeOther, status)
	form := url.Values{"title": {"Forgé"}, "description": {"x"}, "license": {"lov2"}, "frequency": {"annual"}}
	for _, token := range []string{"", "0123456789abcdef0123456789abcdef0123456789a"} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if token != "" {
			f.Set("csrf", token)
		}
		status, body := s.post(t, c, "/espace/jeux/nouveau/", f)
		require.Equal(t, http.StatusForbidden, status, body)
		require.Contains(t, body, "Formulaire refusé")
	}
	list := s.env.Do(t, "GET", "/api/1/me/datasets/", nil, s.token)
	require.NotContains(t, string(list.Body), "Forgé", "nothing was created")

	// Sign-out without the token: still signed in.
	status, _ = s.post(t, c, "/deconnexion/", url.Values{})
	require.Equal(t, http.StatusForbidden, status)
	status, _, _ = s.page(t, c, "/espace/")
	require.Equal(t, http.StatusOK, status)

	// Login CSRF: a sign-in posted from elsewhere (no form cookie).
	other := s.browser(t)
	status, body := s.post(t, other, "/connexion/", url.Values{"csrf": {"x"}, "email": {"agent@mairie.example"}, "password": {agentPassword}})
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, body, "Le formulaire a expiré")
}

// TestSignInRateLimited: five failures lock an account for the window,
// even with the right password after; twenty lock a client whatever the
// account; the window's end unlocks both.
func TestSignInRateLimited(t *testing.T) {
	s := newAgentSite(t)
	c := s.browser(t)
	for i := 0; i < 5; i++ {
		status, body := s.signIn(t, c, "agent@mairie.example", "pas le bon mot de passe")
		require.Equal(t, http.StatusUnauthorized, status)
		require.Contains(t, body, "Adresse électronique ou mot de passe incorrect")
	}
	status, body := s.signIn(t, c, "Agent@Mairie.example", agentPassword)
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Contains(t, body, "Trop de tentatives")

	// The same client, other (unknown) accounts: 15 more failures reach 20.
	for i := 0; i < 15; i++ {
		status, _ := s.signIn(t, c, "inconnu"+itoa(i)+"@example.org", "nimporte quoi")
		require.Equal(t, http.StatusUnauthorized, status)
	}
	ctx := grpcx.WithAPIKey(context.Background(), s.env.AdminToken)
	_, err := s.env.Catalog.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "autre@mairie.example", Password: agentPassword})
	require.NoError(t, err)
	status, _ = s.signIn(t, c, "autre@mairie.example", agentPassword)
	require.Equal(t, http.StatusTooManyRequests, status, "the client is locked out")

	s.clock.add(16 * time.Minute)
	status, loc := s.signIn(t, c, "agent@mairie.example", agentPassword)
	require.Equal(t, http.StatusSeeOther, status, loc)
}

// TestSessionExpiry: past its lifetime a session sends the agent back to
// the sign-in page, then to where they were going.
func TestSessionExpiry(t *testing.T) {
	s := newAgentSite(t)
	c := s.browser(t)
	status, _ := s.signIn(t, c, "agent@mairie.example", agentPassword)
	require.Equal(t, http.StatusSeeOther, status)
	status, _, _ = s.page(t, c, "/espace/jetons/")
	require.Equal(t, http.StatusOK, status)
	status, body, _ := s.page(t, c, "/espace/api/1/me/")
	require.Equal(t, http.StatusOK, status, "the relay calls the API as the agent")
	require.Contains(t, body, `"email": "agent@mairie.example"`)

	s.clock.add(time.Hour + time.Second)
	status, loc, _ := s.page(t, c, "/espace/jetons/")
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/connexion/?next=%2Fespace%2Fjetons%2F", loc)
	status, body, _ = s.page(t, c, "/")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Se connecter")
	status, loc, _ = s.page(t, c, "/espace/api/1/me/")
	require.Equal(t, http.StatusUnauthorized, status, loc)

	_, _, csrf := s.page(t, c, "/connexion/?next=%2Fespace%2Fjetons%2F")
	status, loc = s.post(t, c, "/connexion/", url.Values{"csrf": {csrf}, "email": {"agent@mairie.example"},
		"password": {agentPassword}, "next": {"/espace/jetons/"}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/espace/jetons/", loc)
}

// TestSignOut: the session is gone and its catalog token revoked, so a
// copy of the cookie opens nothing.
func TestSignOut(t *testing.T) {
	s := newAgentSite(t)
	c := s.browser(t)
	status, _ := s.signIn(t, c, "agent@mairie.example", agentPassword)
	require.Equal(t, http.StatusSeeOther, status)
	u, _ := url.Parse(s.url)
	cookies := c.Jar.Cookies(u)
	_, body, csrf := s.page(t, c, "/espace/")
	require.Contains(t, body, "Se déconnecter")

	status, loc := s.post(t, c, "/deconnexion/", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/", loc)

	stolen := s.browser(t)
	stolen.Jar.SetCookies(u, cookies)
	status, _, _ = s.page(t, stolen, "/espace/")
	require.Equal(t, http.StatusSeeOther, status, "the old cookie opens nothing")

	ctx := grpcx.WithAPIKey(context.Background(), s.token)
	list, err := s.env.Catalog.ListApiTokens(ctx, &catalogv1.ListApiTokensRequest{})
	require.NoError(t, err)
	var sessions int
	for _, tok := range list.GetTokens() {
		if tok.GetName() == "Session du portail" {
			sessions++
			require.NotNil(t, tok.GetRevokedAt(), "the session token is revoked")
		}
	}
	require.Equal(t, 1, sessions)
}

// TestTokensAndMembers: an agent creates a token (shown once) and revokes
// it; as the organization's admin, adds a member, changes their role and
// removes them.
func TestTokensAndMembers(t *testing.T) {
	s := newAgentSite(t)
	c := s.browser(t)
	status, _ := s.signIn(t, c, "agent@mairie.example", agentPassword)
	require.Equal(t, http.StatusSeeOther, status)

	_, _, csrf := s.page(t, c, "/espace/jetons/")
	status, body := s.post(t, c, "/espace/jetons/", url.Values{"csrf": {csrf}, "name": {"Script de moissonnage"}})
	require.Equal(t, http.StatusOK, status)
	i := strings.Index(body, `id="new-token" class="token" value="`)
	require.Positive(t, i, body)
	plain := body[i+len(`id="new-token" class="token" value="`):]
	plain = plain[:strings.IndexByte(plain, '"')]
	me := s.env.Do(t, "GET", "/api/1/me/", nil, plain)
	require.Equal(t, http.StatusOK, me.Status, "the new token works")
	_, body, _ = s.page(t, c, "/espace/jetons/")
	require.NotContains(t, body, plain, "shown once")
	require.Contains(t, body, "Script de moissonnage")
	ctx := grpcx.WithAPIKey(context.Background(), plain)
	list, err := s.env.Catalog.ListApiTokens(ctx, &catalogv1.ListApiTokensRequest{})
	require.NoError(t, err)
	var id string
	for _, tok := range list.GetTokens() {
		if tok.GetName() == "Script de moissonnage" {
			id = tok.GetId()
		}
	}
	status, loc := s.post(t, c, "/espace/jetons/"+id+"/revoquer/", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, status, loc)
	require.Equal(t, http.StatusUnauthorized, s.env.Do(t, "GET", "/api/1/me/", nil, plain).Status)

	// Members.
	s.env.NewUser(t, "collegue@mairie.example", "Dominique", "Collègue")
	members := "/espace/organisations/" + s.org["slug"].(string) + "/membres/"
	status, body, _ = s.page(t, c, members)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, "1 membre")
	status, loc = s.post(t, c, members, url.Values{"csrf": {csrf}, "email": {"collegue@mairie.example"}, "role": {"editor"}})
	require.Equal(t, http.StatusSeeOther, status, loc)
	org := s.env.Do(t, "GET", "/api/1/organizations/"+s.org["id"].(string)+"/", nil, s.token).Object(t)
	ms := org["members"].([]any)
	require.Len(t, ms, 2)
	var colleague string
	for _, m := range ms {
		u := m.(map[string]any)["user"].(map[string]any)
		if u["first_name"] == "Dominique" {
			colleague = u["id"].(string)
			require.Equal(t, "editor", m.(map[string]any)["role"])
		}
	}
	status, _ = s.post(t, c, members+colleague+"/", url.Values{"csrf": {csrf}, "role": {"admin"}})
	require.Equal(t, http.StatusSeeOther, status)
	status, body = s.post(t, c, members+colleague+"/", url.Values{"csrf": {csrf}, "role": {"owner"}})
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, "Choisissez un rôle")
	_, body, _ = s.page(t, c, members)
	require.Contains(t, body, "2 membres")
	status, _ = s.post(t, c, members+colleague+"/", url.Values{"csrf": {csrf}, "action": {"remove"}})
	require.Equal(t, http.StatusSeeOther, status)
	_, body, _ = s.page(t, c, members)
	require.Contains(t, body, "1 membre")

	// Someone who is not an admin of the organization is refused.
	other := s.browser(t)
	ctxAdmin := grpcx.WithAPIKey(context.Background(), s.env.AdminToken)
	_, err = s.env.Catalog.SetPassword(ctxAdmin, &catalogv1.SetPasswordRequest{User: "collegue@mairie.example", Password: agentPassword})
	require.NoError(t, err)
	status, _ = s.signIn(t, other, "collegue@mairie.example", agentPassword)
	require.Equal(t, http.StatusSeeOther, status)
	status, _, _ = s.page(t, other, members)
	require.Equal(t, http.StatusForbidden, status)

	// A sysadmin manages any organization's members.
	_, err = s.env.Catalog.SetPassword(ctxAdmin, &catalogv1.SetPasswordRequest{Password: agentPassword})
	require.NoError(t, err)
	adminMe, err := s.env.Catalog.GetMe(ctxAdmin, &catalogv1.GetMeRequest{})
	require.NoError(t, err)
	admin := s.browser(t)
	status, _ = s.signIn(t, admin, adminMe.GetUser().GetEmail(), agentPassword)
	require.Equal(t, http.StatusSeeOther, status)
	status, body, _ = s.page(t, admin, members)
	require.Equal(t, http.StatusOK, status, body)
}
