package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
)

// FuzzHandlers drives the whole gateway, over a real catalog, with random
// methods, paths, queries, bodies and keys. Whatever comes in, the answer
// is never a 5xx.
func FuzzHandlers(f *testing.F) {
	env := gatewaytest.Start(f, gatewaytest.Options{Search: true})
	user := env.NewUser(f, "fuzz@relais.test", "Fuzz", "Tester")
	org := expectF(f, env.Do(f, "POST", "/api/1/organizations/", map[string]any{"name": "Fuzz", "description": "d"}, user), 201).Object(f)
	ds := expectF(f, env.Do(f, "POST", "/api/1/datasets/", map[string]any{"title": "Jeu", "description": "d", "organization": org["id"]}, user), 201).Object(f)
	res := expectF(f, env.Do(f, "POST", "/api/1/datasets/"+ds["id"].(string)+"/resources/", map[string]any{"title": "r", "url": "https://x.test/r.csv"}, user), 201).Object(f)
	did, rid, oid := ds["id"].(string), res["id"].(string), org["id"].(string)
	ru := expectF(f, env.Do(f, "POST", "/api/1/reuses/", map[string]any{
		"title": "Carte", "description": "d", "type": "visualization", "topic": "others", "url": "https://x.test/carte", "datasets": []string{did},
	}, user), 201).Object(f)
	uid := ru["id"].(string)
	keys := []string{"", user, env.AdminToken, "udata_bad", "\x00"}

	seeds := []struct {
		method uint8
		path   string
		query  string
		body   string
	}{
		{0, "/api/1/datasets/", "page=2&page_size=1&tag=a&sort=-created", ""},
		{0, "/api/1/datasets/", "organization=" + oid + "&q=%00%27", ""},
		{1, "/api/1/datasets/", "", `{"title":"t","description":"d","organization":"` + oid + `","resources":[{"title":"x","url":"http://x"}]}`},
		{2, "/api/1/datasets/" + did + "/", "", `{"title":"t","private":"yes","temporal_coverage":{"start":"x"},"spatial":{"zones":[1]}}`},
		{2, "/api/1/datasets/" + did + "/", "", `{"deleted":null,"archived":"2024-01-01","extras":{"a":{"b":[1,2,{"c":null}]}}}`},
		{3, "/api/1/datasets/" + did + "/", "", ""},
		{1, "/api/1/datasets/" + did + "/resources/", "", `{"title":"r","url":"ftp://x","checksum":{"type":"md5"},"filesize":-1}`},
		{2, "/api/1/datasets/" + did + "/resources/", "", `[{"id":"` + rid + `"}]`},
		{2, "/api/1/datasets/" + did + "/resources/" + rid + "/", "", `{"filetype":"file","schema":null}`},
		{0, "/api/1/datasets/r/" + rid, "", ""},
		{0, "/api/2/datasets/" + did + "/resources/", "page=0&type=main&q=%FF", ""},
		{2, "/api/2/datasets/" + did + "/extras/", "", `{"x":null,"y":[{}]}`},
		{3, "/api/2/datasets/" + did + "/resources/" + rid + "/extras/", "", `["x"]`},
		{0, "/api/2/datasets/resources/" + rid + "/", "", ""},
		{1, "/api/1/organizations/", "", `{"name":"n","description":"d","business_number_id":"123","badges":[{"kind":"certified"}]}`},
		{2, "/api/1/organizations/" + oid + "/", "", `{"url":"javascript:alert(1)"}`},
		{1, "/api/1/organizations/" + oid + "/member/", "", `{"email":"x@y.z","role":"owner"}`},
		{4, "/api/1/organizations/" + oid + "/member/x/", "", `{"role":"admin"}`},
		{0, "/api/1/organizations/suggest/", "q=f&size=-3", ""},
		{0, "/api/2/datasets/search/", "q=jeu&tag=a&organization=" + oid + "|x&featured=1&sort=-views&page=2&page_size=5000", ""},
		{0, "/api/2/datasets/search/", "q=%22%2A%3F%28%29%5B%5D%7B%7D%5E%7E%3A%5C&last_update_range=last_3_years&temporal_coverage=2020-01-01-2021-01-01", ""},
		{0, "/api/2/organizations/search/", "q=fuzz&badge=x&sort=-datasets", ""},
		{0, "/api/1/datasets/suggest/", "q=je&size=0", ""},
		{0, "/api/1/tags/suggest/", "q=%C3%A9&size=100000", ""},
		{2, "/api/1/me/", "", `{"email":"not-an-email","website":"x"}`},
		{1, "/api/1/me/api_tokens/", "", `{"expires_at":"yesterday","scopes":"admin"}`},
		{3, "/api/1/me/api_tokens/nope/", "", ""},
		{0, "/api/1/users/" + strings.Repeat("a", 300) + "/", "", ""},
		{5, "/api/1/site", "lang=xx", ""},
		{0, "/api/1/datasets/%2e%2e/", "", ""},
		{0, "/api/1/reuses/", "q=%00%27&tag=a&tag=b&dataset=" + did + "&type=x&topic=y&featured=maybe&sort=-followers&page=3&page_size=2", ""},
		{0, "/api/2/reuses/", "followed_by=" + oid + "&owner=x", ""},
		{1, "/api/1/reuses/", "", `{"title":"t","description":"d","type":"api","topic":"others","url":"https://x.test/carte","datasets":[{"id":"` + did + `"},"nope",7]}`},
		{1, "/api/1/reuses/", "", `{"title":["t"],"type":null,"url":"javascript:alert(1)","tags":"a,b","extras":[],"private":"no","organization":{"id":1}}`},
		{2, "/api/1/reuses/" + uid + "/", "", `{"deleted":null,"archived":"2024-13-01","datasets":null,"owner":"` + oid + `"}`},
		{3, "/api/1/reuses/" + uid + "/", "", ""},
		{1, "/api/1/reuses/" + uid + "/datasets/", "", `{"class":"Dataset","id":"` + did + `"}`},
		{1, "/api/1/reuses/" + uid + "/datasets/", "", `{"id":{"$ne":1}}`},
		{0, "/api/1/reuses/types/", "", ""},
		{1, "/api/1/reuses/" + uid + "/followers/", "", ""},
		{0, "/api/1/datasets/" + did + "/followers/", "user=" + oid + "&page=0", ""},
		{3, "/api/1/organizations/" + oid + "/followers/", "", ""},
		{1, "/api/1/users/" + strings.Repeat("f", 24) + "/followers/", "", `{}`},
		{1, "/api/1/reuses/" + uid + "/featured/", "", ""},
		{0, "/api/1/organizations/" + oid + "/reuses/", "", ""},
		{0, "/api/1/me/reuses/", "", ""},
	}
	for _, s := range seeds {
		for k := range keys {
			f.Add(s.method, s.path, s.query, []byte(s.body), uint8(k), true)
		}
	}
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}
	f.Fuzz(func(t *testing.T, method uint8, path, query string, body []byte, key uint8, jsonType bool) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		r := httptest.NewRequest(http.MethodGet, "/", bytes.NewReader(body))
		r.Method = methods[int(method)%len(methods)]
		r.URL.Path = path
		r.URL.RawPath = ""
		r.URL.RawQuery = query
		if jsonType {
			r.Header.Set("Content-Type", "application/json")
		}
		if k := keys[int(key)%len(keys)]; k != "" {
			r.Header.Set("X-API-KEY", k)
		}
		ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
		defer cancel()
		r = r.WithContext(ctx)
		w := httptest.NewRecorder()
		env.Handler.ServeHTTP(w, r)
		if ctx.Err() != nil {
			t.Fatalf("%s %s?%s (%q): no answer in 20s", r.Method, path, query, body)
		}
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s (%q) → %d %s", r.Method, path, query, body, w.Code, w.Body.Bytes())
		}
	})
}

func expectF(f *testing.F, r *gatewaytest.Response, status int) *gatewaytest.Response {
	f.Helper()
	if r.Status != status {
		f.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}
