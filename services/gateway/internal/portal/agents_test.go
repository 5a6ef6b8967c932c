package portal_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
	"github.com/relais-data/relais/services/gateway/internal/portal"
)

const agentPassword = "un mot de passe d'agent"

// clock is a settable clock for sessions and rate limits.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// agentSite is a portal over a real catalog, storage and gateway API,
// with an agent (password set) who administers an organization.
type agentSite struct {
	env   *gatewaytest.Env
	url   string
	clock *clock
	token string // the agent's API key, to check what the pages did
	org   map[string]any
}

func newAgentSite(t testing.TB) *agentSite {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	ctx := grpcx.WithAPIKey(context.Background(), env.AdminToken)
	u, err := env.Catalog.CreateUser(ctx, &catalogv1.CreateUserRequest{
		Email: "agent@mairie.example", FirstName: "Camille", LastName: "Agent", Password: agentPassword, WithApiToken: true,
	})
	require.NoError(t, err)
	s := &agentSite{env: env, clock: &clock{t: time.Now()}, token: u.GetApiToken()}
	res := env.Do(t, "POST", "/api/1/organizations/", map[string]any{"name": "Commune de Test", "description": "Une commune."}, s.token)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	s.org = res.Object(t)
	p, err := portal.New(portal.Options{Catalog: env.Catalog, API: env.Handler, PublicURL: env.URL,
		Sessions: portal.SessionOptions{TTL: time.Hour, Now: s.clock.now}})
	require.NoError(t, err)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// browser is a client with cookies that does not follow redirects.
func (s *agentSite) browser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// page GETs path and returns the status, the body and the page's CSRF token.
func (s *agentSite) page(t testing.TB, c *http.Client, path string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(s.url + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	csrf := ""
	if m := csrfInput.FindSubmatch(b); m != nil {
		csrf = string(m[1])
	}
	if resp.StatusCode/100 == 3 {
		return resp.StatusCode, resp.Header.Get("Location"), csrf
	}
	return resp.StatusCode, string(b), csrf
}

// post sends a form; for a redirect the body returned is its Location.
func (s *agentSite) post(t testing.TB, c *http.Client, path string, form url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(s.url+path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 == 3 {
		return resp.StatusCode, resp.Header.Get("Location")
	}
	return resp.StatusCode, string(b)
}

func (s *agentSite) signIn(t testing.TB, c *http.Client, email, password string) (int, string) {
	t.Helper()
	status, _, csrf := s.page(t, c, "/connexion/")
	require.Equal(t, http.StatusOK, status)
	return s.post(t, c, "/connexion/", url.Values{"csrf": {csrf}, "email": {email}, "password": {password}})
}

func TestAgentPublishes(t *testing.T) {
	s := newAgentSite(t)
	c := s.browser(t)

	status, loc := s.signIn(t, c, "agent@mairie.example", agentPassword)
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/espace/", loc)
	u, _ := url.Parse(s.url)
	var session *http.Cookie
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "relais_session" {
			session = ck
		}
	}
	require.NotNil(t, session, "the session cookie is set")

	status, body, csrf := s.page(t, c, "/espace/")
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, "Camille")
	require.Contains(t, body, "Commune de Test")
	require.Contains(t, body, "Se déconnecter")

	// Create: a draft of the organization.
	status, body, csrf = s.page(t, c, "/espace/jeux/nouveau/")
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, "Licence Ouverte")
	status, loc = s.post(t, c, "/espace/jeux/nouveau/", url.Values{"csrf": {csrf}, "title": {""}, "description": {"x"},
		"license": {"lov2"}, "frequency": {"annual"}, "organization": {s.org["id"].(string)}, "private": {"on"}})
	require.Equal(t, http.StatusBadRequest, status, "a dataset without title is refused with the form shown again")
	require.Contains(t, loc, "n&#39;a pas été enregistré")
	status, loc = s.post(t, c, "/espace/jeux/nouveau/", url.Values{"csrf": {csrf}, "title": {"Délibérations 2024"},
		"description": {"Les **délibérations** du conseil."}, "license": {"lov2"}, "frequency": {"monthly"},
		"tags": {"deliberations, conseil"}, "organization": {s.org["id"].(string)}, "private": {"on"}})
	require.Equal(t, http.StatusSeeOther, status, loc)
	require.True(t, strings.HasPrefix(loc, "/espace/jeux/"), loc)
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/espace/jeux/"), "/")
	anon := s.env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, "")
	require.Equal(t, http.StatusNotFound, anon.Status, "a draft is private")

	// Edit.
	status, body, csrf = s.page(t, c, loc)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, "Brouillon (privé)")
	status, loc2 := s.post(t, c, loc, url.Values{"csrf": {csrf}, "title": {"Délibérations du conseil 2024"},
		"description": {"Les délibérations."}, "license": {"lov2"}, "frequency": {"monthly"}, "tags": {"deliberations"},
		"organization": {s.org["id"].(string)}, "private": {"on"}})
	require.Equal(t, http.StatusSeeOther, status, loc2)
	mine := s.env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, s.token).Object(t)
	require.Equal(t, "Délibérations du conseil 2024", mine["title"])
	require.Equal(t, []any{"deliberations"}, mine["tags"])

	// Upload through the relay, in two chunks as the page's script does.
	csv := []byte("date;objet\n2024-01-15;Budget primitif\n2024-02-12;Subventions\n")
	upload := func(csrfHeader string, fields map[string]string, file []byte) *http.Response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			require.NoError(t, mw.WriteField(k, v))
		}
		if file != nil {
			fw, err := mw.CreateFormFile("file", "deliberations.csv")
			require.NoError(t, err)
			_, _ = fw.Write(file)
		}
		require.NoError(t, mw.Close())
		req, _ := http.NewRequest("POST", s.url+"/espace/api/1/datasets/"+id+"/upload/", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if csrfHeader != "" {
			req.Header.Set("X-CSRF-Token", csrfHeader)
		}
		resp, err := c.Do(req)
		require.NoError(t, err)
		return resp
	}
	resp := upload("", map[string]string{}, csv)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "the relay refuses a change without the CSRF header")
	half := len(csv) / 2
	uuid := "3c0a4ca2-6a3e-4bd0-9a09-7c1a7a5e2f11"
	for i, part := range [][]byte{csv[:half], csv[half:]} {
		resp := upload(csrf, map[string]string{"uuid": uuid, "filename": "deliberations.csv", "partindex": itoa(i),
			"partbyteoffset": itoa(i * half), "totalfilesize": itoa(len(csv)), "totalparts": "2", "chunksize": itoa(len(part))}, part)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	}
	resp = upload(csrf, map[string]string{"uuid": uuid, "filename": "deliberations.csv", "totalparts": "2", "totalfilesize": itoa(len(csv))}, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(b))
	require.Contains(t, string(b), `"filesize": `+itoa(len(csv)))

	status, body, _ = s.page(t, c, loc)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "deliberations.csv")
	require.Contains(t, body, `data-api="/espace/api"`)

	// Publish: public from now on.
	status, loc2 = s.post(t, c, loc+"publier/", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, status, loc2)
	anon = s.env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, "")
	require.Equal(t, http.StatusOK, anon.Status)
	status, body, _ = s.page(t, c, loc2)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Le jeu de données est publié")
}

var itoa = strconv.Itoa
