package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
)

func xFields(mask string) http.Header { return http.Header{"X-Fields": {mask}} }

func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestXFields checks flask-restx's field masks (X-Fields) on the
// endpoints udata marshals with @api.marshal_with.
func TestXFields(t *testing.T) {
	w := newWorld(t)
	env := w.env
	orgA := str(w.orgA["id"])
	d := w.dataset(t, w.alice, orgA, "Équipements sportifs", map[string]any{"tags": []string{"sport"}, "extras": map[string]any{"k": "v"}})
	id := str(d["id"])
	for _, u := range []string{"https://x.test/a.csv", "https://x.test/b.json"} {
		expect(t, env.Do(t, "POST", "/api/1/datasets/"+id+"/resources/", map[string]any{"title": "Fichier é", "url": u}, w.alice), 201)
	}
	w.dataset(t, w.alice, orgA, "Piscines", nil)
	get := func(path, mask string, status int) *gatewaytest.Response {
		t.Helper()
		return expect(t, env.DoWithHeader(t, "GET", path, nil, "", xFields(mask)), status)
	}

	// A dataset, with nested resources.
	full := expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, ""), 200)
	ds := get("/api/1/datasets/"+id+"/", "id,title,resources{id,url}", 200).Object(t)
	require.Equal(t, []string{"id", "resources", "title"}, keysOf(ds))
	require.Equal(t, "Équipements sportifs", ds["title"])
	res := ds["resources"].([]any)
	require.Len(t, res, 2)
	for _, r := range res {
		require.Equal(t, []string{"id", "url"}, keysOf(r.(map[string]any)))
	}
	// Byte conventions: the kept values are the unmasked ones, byte for byte.
	var fullObj map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(full.Body, &fullObj))
	body := string(get("/api/1/datasets/"+id+"/", "title,tags", 200).Body)
	require.Equal(t, `{"tags": `+string(fullObj["tags"])+`, "title": "\u00c9quipements sportifs"}`, body)

	// Unknown fields are left out; "*" keeps everything; outer brackets.
	require.Equal(t, `{"id": "`+id+`"}`, string(get("/api/1/datasets/"+id+"/", "{id,nope}", 200).Body))
	require.Equal(t, string(full.Body), string(get("/api/1/datasets/"+id+"/", "*", 200).Body))
	star := get("/api/1/datasets/"+id+"/", "resources{title},*", 200).Object(t)
	require.Equal(t, keysOf(full.Object(t)), keysOf(star))
	require.Equal(t, map[string]any{"title": "Fichier é"}, star["resources"].([]any)[0])
	require.Equal(t, `{}`, string(get("/api/1/datasets/"+id+"/", "{}", 200).Body))

	// Pagers: the mask applies to the pager, so lists take data{…}.
	page := get("/api/1/datasets/?page_size=1&sort=title", "data{id,title},next_page,total", 200).Object(t)
	require.Equal(t, []string{"data", "next_page", "total"}, keysOf(page))
	require.Equal(t, []any{map[string]any{"id": id, "title": "Équipements sportifs"}}, page["data"])
	require.Equal(t, json.Number("2"), page["total"])
	require.Equal(t, `{}`, string(get("/api/1/datasets/", "id,title", 200).Body))
	page = get("/api/2/datasets/", "data{id,resources}", 200).Object(t)
	require.Len(t, page["data"], 2)
	page = get("/api/2/datasets/"+id+"/resources/", "data{url},total", 200).Object(t)
	require.ElementsMatch(t, []any{map[string]any{"url": "https://x.test/a.csv"}, map[string]any{"url": "https://x.test/b.json"}}, page["data"])
	page = get("/api/1/organizations/", "data{name}", 200).Object(t)
	require.Len(t, page["data"], 2)
	page = get("/api/1/organizations/"+orgA+"/datasets/", "total", 200).Object(t)
	require.Equal(t, map[string]any{"total": json.Number("2")}, page)

	// Other objects.
	rid, rurl := str(res[0].(map[string]any)["id"]), str(res[0].(map[string]any)["url"])
	require.Equal(t, `{"url": "`+rurl+`"}`, string(get("/api/1/datasets/"+id+"/resources/"+rid+"/", "url", 200).Body))
	require.Equal(t, `{"resource": {"url": "`+rurl+`"}}`, string(get("/api/2/datasets/resources/"+rid+"/", "resource{url}", 200).Body))
	require.Equal(t, `{"id": "`+id+`"}`, string(get("/api/2/datasets/"+id+"/", "id", 200).Body))
	require.Equal(t, `{"name": "Commune de Saint-\u00c9tienne"}`, string(get("/api/1/organizations/"+orgA+"/", "name", 200).Body))
	me := expect(t, env.DoWithHeader(t, "GET", "/api/1/me/", nil, w.alice, xFields("first_name,last_name")), 200)
	require.Equal(t, `{"first_name": "Alice", "last_name": "Martin"}`, string(me.Body))
	require.Equal(t, `{"first_name": "Alice"}`, string(get("/api/1/users/"+str(expect(t, env.Do(t, "GET", "/api/1/me/", nil, w.alice), 200).Object(t)["id"])+"/", "first_name", 200).Body))
	site := get("/api/1/site/", "id,title,metrics{datasets}", 200).Object(t)
	require.Equal(t, []string{"id", "metrics", "title"}, keysOf(site))
	require.Equal(t, []string{"datasets"}, keysOf(site["metrics"].(map[string]any)))

	// Malformed masks: flask-restx's 400s.
	for mask, msg := range map[string]string{
		"id,{":             "Mask parse error: Unexpected opening bracket",
		"id}":              "Mask parse error: Unexpected closing bracket",
		"resources{id":     "Mask parse error: Missing closing bracket",
		",id":              "Mask parse error: Unexpected comma",
		"title{x}":         "Mask error: Mask is inconsistent with model",
		"resources{id{x}}": "Mask error: Mask is inconsistent with model",
	} {
		r := get("/api/1/datasets/"+id+"/", mask, 400)
		require.Equal(t, `{"message": "`+msg+`"}`, string(r.Body), mask)
	}
	r := get("/api/1/datasets/", "data{id", 400)
	require.Equal(t, `{"message": "Mask parse error: Missing closing bracket"}`, string(r.Body))

	// The mask is applied only to what udata marshals: errors come first,
	// the extras and the writes are not masked, an empty header is none.
	get("/api/1/datasets/nope-nope/", "id,{", 404)
	require.JSONEq(t, `{"k":"v"}`, string(get("/api/2/datasets/"+id+"/extras/", "id", 200).Body))
	created := expect(t, env.DoWithHeader(t, "POST", "/api/1/datasets/", map[string]any{"title": "t", "description": "d", "organization": orgA}, w.alice, xFields("id")), 201).Object(t)
	require.Contains(t, created, "title")
	require.Equal(t, string(full.Body), string(get("/api/1/datasets/"+id+"/", "", 200).Body))
}

// FuzzXFields sends any X-Fields to a dataset and a pager: the answer is
// a 200 or flask-restx's 400, never a 5xx.
func FuzzXFields(f *testing.F) {
	env := gatewaytest.Start(f, gatewaytest.Options{})
	user := env.NewUser(f, "fuzz@relais.test", "Fuzz", "Tester")
	org := expectF(f, env.Do(f, "POST", "/api/1/organizations/", map[string]any{"name": "Fuzz", "description": "d"}, user), 201).Object(f)
	ds := expectF(f, env.Do(f, "POST", "/api/1/datasets/", map[string]any{"title": "Jeu", "description": "d", "organization": org["id"],
		"resources": []any{map[string]any{"title": "r", "url": "https://x.test/r.csv", "filetype": "remote"}}}, user), 201).Object(f)
	paths := []string{"/api/1/datasets/" + ds["id"].(string) + "/", "/api/1/datasets/", "/api/2/datasets/" + ds["id"].(string) + "/resources/"}
	for _, s := range []string{"id,title,resources{id,url}", "data{id,title},next_page", "*", "resources{*},id", "{", "a}", ",", "title{x}", "data{title{x}}", "\xff{\xb2}", "{}", "a{b{c{d{e}}}}"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, mask string, p uint8) {
		r := httptest.NewRequest(http.MethodGet, paths[int(p)%len(paths)], nil)
		r.Header["X-Fields"] = []string{mask}
		ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
		defer cancel()
		r = r.WithContext(ctx)
		w := httptest.NewRecorder()
		env.Handler.ServeHTTP(w, r)
		switch {
		case w.Code == 200:
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%q: invalid JSON %s", mask, w.Body.Bytes())
			}
		case w.Code == 400 && strings.HasPrefix(w.Body.String(), `{"message": "Mask `):
		default:
			t.Fatalf("%q → %d %s", mask, w.Code, w.Body.Bytes())
		}
	})
}
