package api

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// These tests need no catalog: the answers come from routing and
// argument checks that happen before any call. The client is nil, so a
// call would fail the test with a 500.
func newOfflineServer() *Server {
	var client catalogv1.CatalogServiceClient
	return New(Options{Catalog: client, Log: slog.New(slog.DiscardHandler), PublicURL: "http://portal.example"})
}

func do(s *Server, method, target, body string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestRoutingWithoutCatalog(t *testing.T) {
	s := newOfflineServer()
	cases := []struct {
		method, target, body string
		header               []string
		status               int
		wantBody             string
		wantHeader           [2]string
	}{
		{method: "GET", target: "/api/1/datasets", status: 308, wantHeader: [2]string{"Location", "http://portal.example/api/1/datasets/"}},
		{method: "GET", target: "/api/1/datasets?page=2&q=x", status: 308, wantHeader: [2]string{"Location", "http://portal.example/api/1/datasets/?page=2&q=x"}},
		{method: "POST", target: "/api/1/organizations/x/member/u", status: 308, wantHeader: [2]string{"Location", "http://portal.example/api/1/organizations/x/member/u/"}},
		{method: "PATCH", target: "/api/1/datasets/", status: 405,
			wantBody:   `{"message": "The method is not allowed for the requested URL."}`,
			wantHeader: [2]string{"Allow", "GET, HEAD, OPTIONS, POST"}},
		{method: "OPTIONS", target: "/api/1/datasets/x/", status: 200, wantHeader: [2]string{"Allow", "DELETE, GET, HEAD, OPTIONS, PUT"}},
		{method: "GET", target: "/api/1/nothing-here/at/all/", status: 404,
			wantBody: `{"message": "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."}`},
		{method: "GET", target: "/api/1/site", status: 308},
		{method: "GET", target: "/api/1/sites/", status: 404,
			wantBody: `{"message": "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again. You have requested this URI [/api/1/sites/] but did you mean /api/1/site/ or `},
		{method: "POST", target: "/api/1/datasets/", status: 401,
			wantBody:   `{"message": "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."}`,
			wantHeader: [2]string{"WWW-Authenticate", `Bearer realm="uData"`}},
		{method: "POST", target: "/api/1/datasets/", body: `{"title":"x"}`, header: []string{"X-API-KEY", "k"}, status: 400,
			wantBody: `{"errors": {"Content-Type": "expecting application/json"}}`},
		{method: "POST", target: "/api/1/datasets/", body: `{"title":`, header: []string{"X-API-KEY", "k", "Content-Type", "application/json"}, status: 400,
			wantBody: `{"message": "Failed to decode JSON object: Expecting value: line 1 column 10 (char 9)"}`},
		{method: "POST", target: "/api/1/datasets/", body: `{"title": 3, "tags": {}}`, header: []string{"X-API-KEY", "k", "Content-Type", "application/json"}, status: 400,
			wantBody: `{"errors": {"tags": ["Not a valid list."], "title": ["Not a valid string value."]}}`},
		{method: "POST", target: "/api/1/organizations/", body: `{"name": []}`, header: []string{"X-API-KEY", "k", "Content-Type", "application/json"}, status: 400,
			wantBody: `{"errors": {"name": "Not a valid string value."}, "message": "Not a valid string value."}`},
		{method: "POST", target: "/api/1/datasets/x/resources/", body: `{"title": "t", "url": "http://x", "filetype": "file"}`, header: []string{"X-API-KEY", "k", "Content-Type", "application/json"}, status: 400,
			wantBody: `{"message": "This endpoint only supports remote resources"}`},
		{method: "GET", target: "/api/1/datasets/?organization=notanid", status: 400,
			wantBody: `{"message": "Organization arg must be an identifier"}`},
		{method: "GET", target: "/api/1/datasets/?owner=x", status: 400,
			wantBody: `{"message": "Owner arg must be an identifier"}`},
		{method: "GET", target: "/api/1/datasets/?page=0", status: 400,
			wantBody: `{"errors": {"page": "The page to display Invalid argument: 0. argument must be a positive integer"}, "message": "Input payload validation failed"}`},
		{method: "GET", target: "/api/1/datasets/?page_size=-5", status: 400,
			wantBody: `{"errors": {"page_size": "The page size Invalid argument: -5. argument must be a positive integer"}, "message": "Input payload validation failed"}`},
		{method: "GET", target: "/api/1/datasets/?page=abc", status: 400,
			wantBody: `{"errors": {"page": "The page to display invalid literal for int() with base 10: 'abc'"}, "message": "Input payload validation failed"}`},
		{method: "GET", target: "/api/1/datasets/?sort=title;DROP+TABLE", status: 400,
			wantBody: `{"errors": {"sort": "The field (and direction) on which sorting apply The value 'title;DROP TABLE' is not a valid choice for 'sort'."}, "message": "Input payload validation failed"}`},
		{method: "GET", target: "/api/1/datasets/?featured=maybe", status: 400,
			wantBody: `{"errors": {"featured": "If set to true, it will filter on featured datasets only. If set to false, it will exclude featured datasets. Invalid literal for boolean(): maybe"}, "message": "Input payload validation failed"}`},
		{method: "GET", target: "/api/1/datasets/?private=true", status: 401},
		{method: "GET", target: "/api/1/datasets/?page=99999999999", status: 404},
		{method: "GET", target: "/api/1/datasets/r/not-a-uuid", status: 404},
		{method: "GET", target: "/api/1/organizations/suggest/", status: 400,
			wantBody: `{"errors": {"q": "The string to autocomplete/suggest Missing required parameter in the query string"}, "message": "Input payload validation failed"}`},
		{method: "GET", target: "/api/1/me/", status: 401},
		{method: "OPTIONS", target: "/api/1/datasets/x/", header: []string{"Origin", "https://app.example", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-api-key, content-type"},
			status: 200, wantHeader: [2]string{"Access-Control-Allow-Headers", "x-api-key, content-type"}},
		{method: "GET", target: "/api/1/nope/", header: []string{"Origin", "https://app.example"}, status: 404,
			wantHeader: [2]string{"Access-Control-Allow-Origin", "*"}},
		{method: "GET", target: "/api/1/datasets/", header: []string{"X-API-KEY", "caf\xe9"}, status: 401,
			wantBody: `{"message": "Invalid API token"}`},
	}
	for _, c := range cases {
		w := do(s, c.method, c.target, c.body, c.header...)
		if w.Code != c.status {
			t.Errorf("%s %s: status %d, want %d (%s)", c.method, c.target, w.Code, c.status, w.Body.String())
			continue
		}
		if c.wantBody != "" && !strings.HasPrefix(w.Body.String(), c.wantBody) {
			t.Errorf("%s %s: body\n %s\nwant\n %s", c.method, c.target, w.Body.String(), c.wantBody)
		}
		if c.wantHeader[0] != "" && w.Header().Get(c.wantHeader[0]) != c.wantHeader[1] {
			t.Errorf("%s %s: %s = %q, want %q", c.method, c.target, c.wantHeader[0], w.Header().Get(c.wantHeader[0]), c.wantHeader[1])
		}
		if w.Code >= 400 && w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: content type %q", c.method, c.target, w.Header().Get("Content-Type"))
		}
	}
}

func TestEveryRouteHasAHandler(t *testing.T) {
	s := newOfflineServer()
	for _, rt := range s.routes() {
		if rt.handler == nil {
			t.Errorf("%s %s: no handler", rt.method, rt.path)
		}
	}
	if _, pattern := s.mux.Handler(httptest.NewRequest(http.MethodGet, "/api/2/datasets/resources/f868cca6-8da1-4369-a78d-47463f19a9a3/", nil)); pattern != "GET /api/2/datasets/{a}/{b}/{$}" {
		t.Errorf("v2 resource route: %q", pattern)
	}
}
