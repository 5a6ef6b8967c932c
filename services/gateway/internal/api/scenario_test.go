package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
	"github.com/relais-data/relais/services/gateway/internal/jsonshape"
)

// expect checks a response's status and udata's byte conventions, and
// returns it.
func expect(t *testing.T, r *gatewaytest.Response, status int) *gatewaytest.Response {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	if len(r.Body) > 0 {
		require.NoError(t, jsonshape.CheckConventions(r.Body), "%s", r.Body)
	}
	return r
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// world is an environment with two organizations, each with an admin,
// and an outsider.
type world struct {
	env                 *gatewaytest.Env
	alice, bob, outside string // API keys
	orgA, orgB          map[string]any
}

func newWorld(t *testing.T) *world {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	w := &world{
		env:     env,
		alice:   env.NewUser(t, "alice@saint-etienne.test", "Alice", "Martin"),
		bob:     env.NewUser(t, "bob@roanne.test", "Bob", "Durand"),
		outside: env.NewUser(t, "eve@example.test", "Eve", "Petit"),
	}
	w.orgA = expect(t, env.Do(t, "POST", "/api/1/organizations/", map[string]any{
		"name": "Commune de Saint-Étienne", "description": "Ville de la Loire.", "business_number_id": "21420218600018",
	}, w.alice), 201).Object(t)
	w.orgB = expect(t, env.Do(t, "POST", "/api/1/organizations/", map[string]any{
		"name": "Ville de Roanne", "description": "Sous-préfecture.",
	}, w.bob), 201).Object(t)
	return w
}

func (w *world) dataset(t *testing.T, token, org, title string, extra map[string]any) map[string]any {
	body := map[string]any{"title": title, "description": "Description de " + title, "organization": org}
	for k, v := range extra {
		body[k] = v
	}
	d := expect(t, w.env.Do(t, "POST", "/api/1/datasets/", body, token), 201).Object(t)
	// Datasets made one after another are a millisecond apart at least, the
	// search index's resolution of dates: sorts by creation are then exact.
	time.Sleep(2 * time.Millisecond)
	return d
}

func TestDatasetLifecycle(t *testing.T) {
	w := newWorld(t)
	env := w.env
	orgA := str(w.orgA["id"])

	d := w.dataset(t, w.alice, orgA, "Délibérations du conseil municipal", map[string]any{
		"tags": []string{"deliberations", "scdl"}, "license": "lov2", "frequency": "monthly",
		"temporal_coverage": map[string]any{"start": "2020-01-01", "end": "2024-12-31"},
		"extras":            map[string]any{"b": 1, "a": "é"},
	})
	id, slug := str(d["id"]), str(d["slug"])
	require.Equal(t, "deliberations-du-conseil-municipal", slug)
	require.Equal(t, env.URL+"/api/1/datasets/"+slug+"/", d["uri"])
	require.Equal(t, env.URL+"/datasets/"+slug+"/", d["page"])
	require.Equal(t, "lov2", d["license"])
	require.Equal(t, "monthly", d["frequency"])
	require.Equal(t, map[string]any{"start": "2020-01-01", "end": "2024-12-31"}, d["temporal_coverage"])

	// GET by id and by slug; slashless → 308.
	got := expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, ""), 200)
	expect(t, env.Do(t, "GET", "/api/1/datasets/"+slug+"/", nil, ""), 200)
	r := expect(t, env.Do(t, "GET", "/api/1/datasets/"+slug, nil, ""), 308)
	require.Equal(t, env.URL+"/api/1/datasets/"+slug+"/", r.Header.Get("Location"))

	// PUT the full GET body back: accepted, nothing changes but the dates.
	full := got.Object(t)
	full["title"] = "Délibérations 2024"
	upd := expect(t, env.Do(t, "PUT", "/api/1/datasets/"+id+"/", full, w.alice), 200).Object(t)
	require.Equal(t, "Délibérations 2024", upd["title"])
	require.Equal(t, d["tags"], upd["tags"])
	require.Equal(t, "lov2", upd["license"])
	newSlug := str(upd["slug"])
	require.NotEqual(t, slug, newSlug, "the slug follows the title")
	// The old slug redirects to the canonical URL.
	r = expect(t, env.Do(t, "GET", "/api/1/datasets/"+slug+"/?x=1", nil, ""), 308)
	require.Equal(t, env.URL+"/api/1/datasets/"+newSlug+"/?x=1", r.Header.Get("Location"))

	// A PUT without "private" makes the dataset public (udata's rule).
	priv := expect(t, env.Do(t, "PUT", "/api/1/datasets/"+id+"/", map[string]any{"private": true}, w.alice), 200).Object(t)
	require.Equal(t, true, priv["private"])
	expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, ""), 404)
	expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, w.outside), 404)
	expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, w.alice), 200)
	pub := expect(t, env.Do(t, "PUT", "/api/1/datasets/"+id+"/", map[string]any{"description": "Nouvelle description."}, w.alice), 200).Object(t)
	require.Equal(t, false, pub["private"])
	require.Equal(t, "Nouvelle description.", pub["description"])

	// Another organization's dataset: 403.
	r = expect(t, env.Do(t, "PUT", "/api/1/datasets/"+id+"/", map[string]any{"title": "Pris"}, w.bob), 403)
	require.JSONEq(t, `{"message":"You do not have the permission to modify that object."}`, string(r.Body))
	expect(t, env.Do(t, "DELETE", "/api/1/datasets/"+id+"/", nil, w.outside), 403)

	// Delete (204), then 410; the owner restores it with "deleted": null.
	r = env.Do(t, "DELETE", "/api/1/datasets/"+id+"/", nil, w.alice)
	require.Equal(t, 204, r.Status)
	require.Empty(t, r.Body)
	r = expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, ""), 410)
	require.JSONEq(t, `{"message":"Dataset has been deleted"}`, string(r.Body))
	expect(t, env.Do(t, "PUT", "/api/1/datasets/"+id+"/", map[string]any{"title": "x"}, w.alice), 410)
	restored := expect(t, env.Do(t, "PUT", "/api/1/datasets/"+id+"/", map[string]any{"deleted": nil}, w.alice), 200).Object(t)
	require.Nil(t, restored["deleted"])
	expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, ""), 200)

	// v2 shape.
	v2 := expect(t, env.Do(t, "GET", "/api/2/datasets/"+id+"/", nil, ""), 200).Object(t)
	require.NotContains(t, v2, "schema")
	require.Equal(t, map[string]any{
		"rel": "subsection", "type": "GET", "total": json.Number("0"),
		"href": env.URL + "/api/2/datasets/" + id + "/resources/?page=1&page_size=50",
	}, v2["resources"])

	// Extras (v2): merge, null deletes, DELETE a key list.
	ex := expect(t, env.Do(t, "PUT", "/api/2/datasets/"+id+"/extras/", map[string]any{"c": true, "b": nil}, w.alice), 200)
	require.JSONEq(t, `{"a":"é","c":true}`, string(ex.Body))
	require.Equal(t, `{"a": "\u00e9", "c": true}`, string(ex.Body))
	r = env.Do(t, "DELETE", "/api/2/datasets/"+id+"/extras/", []string{"c"}, w.alice)
	require.Equal(t, 204, r.Status, "%s", r.Body)
	require.JSONEq(t, `{"a":"é"}`, string(expect(t, env.Do(t, "GET", "/api/2/datasets/"+id+"/extras/", nil, ""), 200).Body))
	expect(t, env.Do(t, "PUT", "/api/2/datasets/"+id+"/extras/", `[1]`, w.alice), 400)
	expect(t, env.Do(t, "DELETE", "/api/2/datasets/"+id+"/extras/", `{"a":1}`, w.alice), 400)
}

func TestResources(t *testing.T) {
	w := newWorld(t)
	env := w.env
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Équipements publics", nil)
	id := str(d["id"])
	base := "/api/1/datasets/" + id + "/resources/"

	// Remote only; filetype and type filled in when missing.
	r := expect(t, env.Do(t, "POST", base, map[string]any{"title": "f", "url": "https://x.test/f.csv", "filetype": "file"}, w.alice), 400)
	require.JSONEq(t, `{"message":"This endpoint only supports remote resources"}`, string(r.Body))
	var ids []string
	for i := range 3 {
		res := expect(t, env.Do(t, "POST", base, map[string]any{
			"title": fmt.Sprintf("Fichier %d", i), "url": fmt.Sprintf("https://data.example.test/f%d.csv", i), "format": "CSV",
		}, w.alice), 201).Object(t)
		require.Equal(t, "remote", res["filetype"])
		require.Equal(t, "main", res["type"])
		require.Equal(t, env.URL+"/api/1/datasets/r/"+str(res["id"]), res["latest"])
		ids = append(ids, str(res["id"]))
	}
	expect(t, env.Do(t, "POST", base, map[string]any{"title": "x", "url": "https://x.test/"}, w.bob), 403)
	expect(t, env.Do(t, "POST", base, map[string]any{"title": "x"}, w.alice), 400)

	// GET, PUT, latest redirect, v2 lookup.
	one := expect(t, env.Do(t, "GET", base+ids[0]+"/", nil, ""), 200).Object(t)
	require.Equal(t, "Fichier 0", one["title"])
	expect(t, env.Do(t, "GET", base+"aaaaaaaa-1111-4bbb-8222-cccccccccccc/", nil, ""), 404)
	upd := expect(t, env.Do(t, "PUT", base+ids[0]+"/", map[string]any{"title": "Fichier zéro", "type": "documentation"}, w.alice), 200).Object(t)
	require.Equal(t, "Fichier zéro", upd["title"])
	require.Equal(t, "documentation", upd["type"])
	r = env.Do(t, "GET", "/api/1/datasets/r/"+ids[1], nil, "")
	require.Equal(t, 302, r.Status)
	require.Equal(t, "https://data.example.test/f1.csv", r.Header.Get("Location"))
	r = expect(t, env.Do(t, "GET", "/api/1/datasets/r/aaaaaaaa-1111-4bbb-8222-cccccccccccc", nil, ""), 404)
	require.JSONEq(t, `{"message":"Resource not found"}`, string(r.Body))
	v2 := expect(t, env.Do(t, "GET", "/api/2/datasets/resources/"+ids[2]+"/", nil, ""), 200).Object(t)
	require.Equal(t, id, v2["dataset_id"])
	require.Equal(t, ids[2], v2["resource"].(map[string]any)["id"])

	// v2 list: page, page_size, type, q.
	page := expect(t, env.Do(t, "GET", "/api/2/datasets/"+id+"/resources/?page_size=2", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("3"), page["total"])
	require.Len(t, page["data"], 2)
	require.Equal(t, env.URL+"/api/2/datasets/"+id+"/resources/?page=2&page_size=2", page["next_page"])
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/"+id+"/resources/?type=documentation", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("1"), page["total"])
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/"+id+"/resources/?q=FICHIER%201", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("1"), page["total"])
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/"+id+"/resources/?page=5", nil, ""), 200).Object(t)
	require.Empty(t, page["data"], "udata's v2 resources page past the end is empty, not a 404")

	// Resource extras (what hydra writes).
	ex := expect(t, env.Do(t, "PUT", "/api/2/datasets/"+id+"/resources/"+ids[1]+"/extras/", map[string]any{"check:status": 200, "check:available": true}, w.alice), 200)
	require.Equal(t, `{"check:available": true, "check:status": 200}`, string(ex.Body))

	// Reorder: exact count and ids, as ids or objects.
	r = expect(t, env.Do(t, "PUT", base, []map[string]string{{"id": ids[0]}}, w.alice), 400)
	require.JSONEq(t, `{"message":"All resources must be reordered, you provided 1 out of 3"}`, string(r.Body))
	r = expect(t, env.Do(t, "PUT", base, []map[string]string{{"id": ids[0]}, {"id": ids[1]}, {"id": "aaaaaaaa-1111-4bbb-8222-cccccccccccc"}}, w.alice), 400)
	require.Contains(t, string(r.Body), "Resource ids must match existing ones in dataset")
	order := []map[string]string{{"id": ids[0]}, {"id": ids[2]}, {"id": ids[1]}}
	list := expect(t, env.Do(t, "PUT", base, order, w.alice), 200).JSON(t).([]any)
	require.Len(t, list, 3)
	for i, o := range order {
		require.Equal(t, o["id"], list[i].(map[string]any)["id"])
	}

	// The full GET body of the dataset, PUT back, keeps its resources.
	full := expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, ""), 200).Object(t)
	back := expect(t, env.Do(t, "PUT", "/api/1/datasets/"+id+"/", full, w.alice), 200).Object(t)
	require.Len(t, back["resources"], 3)
	for i, res := range back["resources"].([]any) {
		require.Equal(t, full["resources"].([]any)[i].(map[string]any)["id"], res.(map[string]any)["id"])
	}

	// Delete.
	r = env.Do(t, "DELETE", base+ids[2]+"/", nil, w.alice)
	require.Equal(t, 204, r.Status)
	r = expect(t, env.Do(t, "GET", base+ids[2]+"/", nil, ""), 404)
	require.Contains(t, string(r.Body), "Resource does not exist")
}

func TestDatasetList(t *testing.T) {
	w := newWorld(t)
	env := w.env
	orgA, orgB := str(w.orgA["id"]), str(w.orgB["id"])
	for i := range 5 {
		w.dataset(t, w.alice, orgA, fmt.Sprintf("Budget primitif %d", 2020+i), map[string]any{"tags": []string{"budget", fmt.Sprintf("annee-%d", 2020+i)}})
	}
	w.dataset(t, w.bob, orgB, "Budget de Roanne", map[string]any{"tags": []string{"budget"}})
	w.dataset(t, w.bob, orgB, "Données privées", map[string]any{"private": true})

	page := expect(t, env.Do(t, "GET", "/api/1/datasets/?page_size=2&tag=budget", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("6"), page["total"])
	require.Equal(t, json.Number("2"), page["page_size"])
	require.Nil(t, page["previous_page"])
	require.Equal(t, env.URL+"/api/1/datasets/?page_size=2&tag=budget&page=2", page["next_page"])
	page = expect(t, env.Do(t, "GET", "/api/1/datasets/?page_size=2&tag=budget&page=3", nil, ""), 200).Object(t)
	require.Nil(t, page["next_page"])
	require.Equal(t, env.URL+"/api/1/datasets/?page_size=2&tag=budget&page=2", page["previous_page"])
	expect(t, env.Do(t, "GET", "/api/1/datasets/?page_size=2&tag=budget&page=4", nil, ""), 404)

	page = expect(t, env.Do(t, "GET", "/api/1/datasets/?organization="+orgA, nil, ""), 200).Object(t)
	require.Equal(t, json.Number("5"), page["total"])
	page = expect(t, env.Do(t, "GET", "/api/1/datasets/?tag=budget&tag=annee-2021", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("1"), page["total"])
	page = expect(t, env.Do(t, "GET", "/api/1/datasets/?q=roanne", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("1"), page["total"])

	// Private datasets: hidden from others, listed for their organization.
	page = expect(t, env.Do(t, "GET", "/api/1/datasets/", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("6"), page["total"])
	page = expect(t, env.Do(t, "GET", "/api/1/datasets/", nil, w.bob), 200).Object(t)
	require.Equal(t, json.Number("7"), page["total"])
	page = expect(t, env.Do(t, "GET", "/api/1/organizations/"+str(w.orgB["slug"])+"/datasets/", nil, w.bob), 200).Object(t)
	require.Equal(t, json.Number("2"), page["total"])

	// Sorting, a huge page_size (capped), injections.
	page = expect(t, env.Do(t, "GET", "/api/1/datasets/?sort=title", nil, ""), 200).Object(t)
	require.Equal(t, "Budget de Roanne", page["data"].([]any)[0].(map[string]any)["title"])
	page = expect(t, env.Do(t, "GET", "/api/1/datasets/?page_size=100000", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("1000"), page["page_size"])
	page = expect(t, env.Do(t, "GET", "/api/1/datasets/?q=%27%3B+DROP+TABLE+datasets%3B+--", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("0"), page["total"])
	expect(t, env.Do(t, "GET", "/api/1/datasets/?sort=title%3B+DROP+TABLE+datasets", nil, ""), 400)
	r := expect(t, env.Do(t, "GET", "/api/1/datasets/?organization=saint-etienne", nil, ""), 400)
	require.JSONEq(t, `{"message":"Organization arg must be an identifier"}`, string(r.Body))
	expect(t, env.Do(t, "GET", "/api/1/datasets/?page=0", nil, ""), 400)
	expect(t, env.Do(t, "GET", "/api/1/datasets/?page_size=-1", nil, ""), 400)

	v2 := expect(t, env.Do(t, "GET", "/api/2/datasets/?page_size=1", nil, ""), 200).Object(t)
	require.IsType(t, map[string]any{}, v2["data"].([]any)[0].(map[string]any)["resources"])
}

func TestBadInput(t *testing.T) {
	w := newWorld(t)
	env := w.env
	org := str(w.orgA["id"])
	post := func(body any) *gatewaytest.Response {
		return env.Do(t, "POST", "/api/1/datasets/", body, w.alice)
	}
	r := expect(t, post(`{"title": "x",`), 400)
	require.Contains(t, string(r.Body), "Failed to decode JSON object")
	r = expect(t, post(map[string]any{"description": "d", "organization": org}), 400)
	require.JSONEq(t, `{"errors":{"title":["This field is required."]}}`, string(r.Body))
	r = expect(t, post(map[string]any{"title": strings.Repeat("é", 351), "description": "d", "organization": org}), 400)
	require.JSONEq(t, `{"errors":{"title":["Field cannot be longer than 350 characters."]}}`, string(r.Body))
	expect(t, post(map[string]any{"title": strings.Repeat("é", 350), "description": "d", "organization": org}), 201)
	r = expect(t, post(map[string]any{"title": "t", "description": "d", "license": "not-a-licence", "organization": org}), 400)
	require.JSONEq(t, `{"errors":{"license":["Unknown license"]}}`, string(r.Body))
	r = expect(t, post(map[string]any{"title": "t", "description": "d", "organization": str(w.orgB["id"])}), 400)
	require.JSONEq(t, `{"errors":{"organization":["Permission denied for this organization"]}}`, string(r.Body))

	// HTML in a description is Markdown source: stored and served as is,
	// never rendered by the API.
	script := `<script>alert("x")</script> & <img src=x onerror=alert(1)>`
	d := expect(t, post(map[string]any{"title": "XSS", "description": script, "organization": org}), 201).Object(t)
	require.Equal(t, script, d["description"])

	req := env.Do(t, "POST", "/api/1/datasets/", nil, w.alice)
	expect(t, req, 400)
	require.JSONEq(t, `{"errors":{"Content-Type":"expecting application/json"}}`, string(req.Body))

	// Unknown ids.
	expect(t, env.Do(t, "GET", "/api/1/datasets/5d13a8b6634f41070a43dff3/", nil, ""), 404)
	expect(t, env.Do(t, "GET", "/api/1/organizations/nope/", nil, ""), 404)
	expect(t, env.Do(t, "GET", "/api/1/users/nope/", nil, ""), 404)

	// A bad key is refused everywhere, public GETs included.
	for _, p := range []string{"/api/1/datasets/", "/api/1/site/", "/api/1/datasets/licenses/", "/api/1/organizations/"} {
		r := expect(t, env.Do(t, "GET", p, nil, "udata_not-a-key"), 401)
		require.JSONEq(t, `{"message":"Invalid API token"}`, string(r.Body), p)
		require.Equal(t, `Bearer realm="uData"`, r.Header.Get("WWW-Authenticate"))
	}
}

func TestOrganizationsAndMembers(t *testing.T) {
	w := newWorld(t)
	env := w.env
	slugA := str(w.orgA["slug"])
	require.Equal(t, "21420218600018", w.orgA["business_number_id"])
	members := w.orgA["members"].([]any)
	require.Len(t, members, 1)
	require.Equal(t, "admin", members[0].(map[string]any)["role"])

	page := expect(t, env.Do(t, "GET", "/api/1/organizations/", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("2"), page["total"])
	expect(t, env.Do(t, "GET", "/api/1/organizations/"+slugA+"/", nil, ""), 200)
	upd := expect(t, env.Do(t, "PUT", "/api/1/organizations/"+slugA+"/", map[string]any{"url": "https://www.saint-etienne.fr/"}, w.alice), 200).Object(t)
	require.Equal(t, "https://www.saint-etienne.fr/", upd["url"])
	require.Equal(t, "Commune de Saint-Étienne", upd["name"])
	expect(t, env.Do(t, "PUT", "/api/1/organizations/"+slugA+"/", map[string]any{"url": "https://x.test/"}, w.bob), 403)
	r := expect(t, env.Do(t, "PUT", "/api/1/organizations/"+slugA+"/", map[string]any{"name": ""}, w.alice), 400)
	require.Contains(t, r.Object(t), "message")

	sugg := expect(t, env.Do(t, "GET", "/api/1/organizations/suggest/?q=saint", nil, ""), 200).JSON(t).([]any)
	require.NotEmpty(t, sugg)
	require.Equal(t, slugA, sugg[0].(map[string]any)["slug"])
	roles := expect(t, env.Do(t, "GET", "/api/1/organizations/roles/", nil, ""), 200).JSON(t).([]any)
	require.NotEmpty(t, roles)

	// Invite Eve as editor, by id; she may then edit the organization's datasets.
	me := expect(t, env.Do(t, "GET", "/api/1/me/", nil, w.outside), 200).Object(t)
	m := expect(t, env.Do(t, "POST", "/api/1/organizations/"+slugA+"/member/", map[string]any{"user": map[string]any{"id": me["id"]}, "role": "editor"}, w.alice), 201).Object(t)
	require.Equal(t, "editor", m["role"])
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Subventions", nil)
	expect(t, env.Do(t, "PUT", "/api/1/datasets/"+str(d["id"])+"/", map[string]any{"title": "Subventions 2024"}, w.outside), 200)
	m = expect(t, env.Do(t, "PUT", "/api/1/organizations/"+slugA+"/member/"+str(me["id"])+"/", map[string]any{"role": "admin"}, w.alice), 200).Object(t)
	require.Equal(t, "admin", m["role"])
	r = env.Do(t, "DELETE", "/api/1/organizations/"+slugA+"/member/"+str(me["id"])+"/", nil, w.alice)
	require.Equal(t, 204, r.Status, "%s", r.Body)
	expect(t, env.Do(t, "PUT", "/api/1/datasets/"+str(d["id"])+"/", map[string]any{"title": "x"}, w.outside), 403)
	// Legacy add by path, then 409 when already a member.
	expect(t, env.Do(t, "POST", "/api/1/organizations/"+slugA+"/member/"+str(me["id"])+"/", map[string]any{"role": "editor"}, w.alice), 201)
	expect(t, env.Do(t, "POST", "/api/1/organizations/"+slugA+"/member/"+str(me["id"])+"/", map[string]any{"role": "editor"}, w.alice), 409)

	// Renaming changes the slug; the old one redirects.
	renamed := expect(t, env.Do(t, "PUT", "/api/1/organizations/"+slugA+"/", map[string]any{"name": "Ville de Saint-Étienne"}, w.alice), 200).Object(t)
	newSlug := str(renamed["slug"])
	require.NotEqual(t, slugA, newSlug)
	r = expect(t, env.Do(t, "GET", "/api/1/organizations/"+slugA+"/datasets/?page=1", nil, ""), 308)
	require.Equal(t, env.URL+"/api/1/organizations/"+newSlug+"/datasets/?page=1", r.Header.Get("Location"))

	// Delete: 410.
	r = env.Do(t, "DELETE", "/api/1/organizations/"+str(w.orgB["id"])+"/", nil, w.bob)
	require.Equal(t, 204, r.Status, "%s", r.Body)
	r = expect(t, env.Do(t, "GET", "/api/1/organizations/"+str(w.orgB["id"])+"/", nil, ""), 410)
	require.JSONEq(t, `{"message":"Organization has been deleted"}`, string(r.Body))
}

func TestMeAndTokens(t *testing.T) {
	w := newWorld(t)
	env := w.env
	me := expect(t, env.Do(t, "PUT", "/api/1/me/", map[string]any{"about": "Agent de la ville", "first_name": "Alicia"}, w.alice), 200).Object(t)
	require.Equal(t, "Alicia", me["first_name"])
	require.Equal(t, "Agent de la ville", me["about"])
	user := expect(t, env.Do(t, "GET", "/api/1/users/"+str(me["id"])+"/", nil, ""), 200).Object(t)
	require.Nil(t, user["email"], "email is private")

	tok := expect(t, env.Do(t, "POST", "/api/1/me/api_tokens/", map[string]any{"name": "ci"}, w.alice), 201).Object(t)
	plain := str(tok["token"])
	require.True(t, strings.HasPrefix(plain, "udata_"), plain)
	expect(t, env.Do(t, "GET", "/api/1/me/", nil, plain), 200)
	list := expect(t, env.Do(t, "GET", "/api/1/me/api_tokens/", nil, w.alice), 200).JSON(t).([]any)
	require.Len(t, list, 2)
	for _, l := range list {
		require.NotContains(t, l, "token", "plaintext is shown once")
	}
	r := env.Do(t, "DELETE", "/api/1/me/api_tokens/"+str(tok["id"])+"/", nil, w.alice)
	require.Equal(t, 204, r.Status, "%s", r.Body)
	r = expect(t, env.Do(t, "GET", "/api/1/me/", nil, plain), 401)
	require.Contains(t, string(r.Body), "API token")
	expect(t, env.Do(t, "DELETE", "/api/1/me/api_tokens/"+str(tok["id"])+"/", nil, w.alice), 410)
}

func TestReferenceLists(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	lic := expect(t, env.Do(t, "GET", "/api/1/datasets/licenses/", nil, ""), 200).JSON(t).([]any)
	ids := map[string]bool{}
	for _, l := range lic {
		ids[str(l.(map[string]any)["id"])] = true
	}
	for _, want := range []string{"lov2", "odc-odbl", "notspecified"} {
		require.True(t, ids[want], "licence %s", want)
	}
	freq := expect(t, env.Do(t, "GET", "/api/1/datasets/frequencies/", nil, ""), 200).JSON(t).([]any)
	require.Len(t, freq, 40)
	types := expect(t, env.Do(t, "GET", "/api/1/datasets/resource_types/", nil, ""), 200).JSON(t).([]any)
	require.Len(t, types, 6)
	site := expect(t, env.Do(t, "GET", "/api/1/site/", nil, ""), 200).Object(t)
	require.Contains(t, site, "metrics")
}

func TestDatasetListFilters(t *testing.T) {
	w := newWorld(t)
	env := w.env
	orgA, orgB := str(w.orgA["id"]), str(w.orgB["id"])
	res := func(schema, version string) []map[string]any {
		return []map[string]any{{"title": "f", "url": "https://example.org/f.csv", "filetype": "remote", "format": "csv",
			"schema": map[string]any{"name": schema, "version": version}}}
	}
	a1 := w.dataset(t, w.alice, orgA, "Bornes de recharge", map[string]any{
		"spatial":           map[string]any{"zones": []string{"fr:commune:42218"}, "granularity": "fr:commune"},
		"temporal_coverage": map[string]any{"start": "2020-03-01", "end": "2021-01-01"},
		"resources":         res("etalab/schema-irve-statique", "2.3.0"),
	})
	a2 := w.dataset(t, w.alice, orgA, "Bornes anciennes", map[string]any{
		"spatial":           map[string]any{"zones": []string{"country:fr"}, "granularity": "country"},
		"temporal_coverage": map[string]any{"start": "2018-01-01", "end": "2018-12-31"},
		"resources":         res("etalab/schema-irve-statique", "2.2.0"),
	})
	a3 := w.dataset(t, w.alice, orgA, "Brouillon", map[string]any{"private": true})
	b1 := w.dataset(t, w.bob, orgB, "Archives de Roanne", nil)
	b2 := w.dataset(t, w.bob, orgB, "Effacé", nil)
	b3 := w.dataset(t, w.bob, orgB, "Secret de Roanne", map[string]any{"private": true})
	expect(t, env.Do(t, "DELETE", "/api/1/datasets/"+str(b2["id"])+"/", nil, w.bob), 204)
	expect(t, env.Do(t, "PUT", "/api/1/datasets/"+str(b1["id"])+"/", map[string]any{"archived": "2025-01-01T00:00:00+00:00"}, w.bob), 200)

	ids := func(query, token string) []string {
		t.Helper()
		page := expect(t, env.Do(t, "GET", "/api/1/datasets/?sort=created&"+query, nil, token), 200).Object(t)
		out := []string{}
		for _, d := range page["data"].([]any) {
			out = append(out, str(d.(map[string]any)["id"]))
		}
		require.Equal(t, json.Number(fmt.Sprint(len(out))), page["total"], query)
		return out
	}
	id := func(d map[string]any) string { return str(d["id"]) }
	require.Len(t, ids("", ""), 2)
	require.Equal(t, []string{id(a1)}, ids("granularity=fr:commune", ""))
	require.Equal(t, []string{id(a2)}, ids("geozone=country:fr", ""))
	require.Empty(t, ids("geozone=fr:commune", ""))
	require.Empty(t, ids("badge=hvd", ""))
	require.Equal(t, []string{id(a1), id(a2)}, ids("schema=etalab/schema-irve-statique", ""))
	require.Equal(t, []string{id(a2)}, ids("schema=etalab/schema-irve-statique&schema_version=2.2.0", ""))
	require.Equal(t, []string{id(a1)}, ids("schema_version=2.3.0", ""))
	require.Equal(t, []string{id(a1)}, ids("temporal_coverage=2020-01-01-2020-12-31", ""))
	require.Empty(t, ids("temporal_coverage=2022-01-01-2023-01-01", ""))
	r := expect(t, env.Do(t, "GET", "/api/1/datasets/?temporal_coverage=2020", nil, ""), 400)
	require.JSONEq(t, `{"message":"temporal_coverage arg must be YYYY-MM-DD-YYYY-MM-DD"}`, string(r.Body))

	// State filters: authenticated only, limited to what the caller may see.
	expect(t, env.Do(t, "GET", "/api/1/datasets/?archived=true", nil, ""), 401)
	require.Equal(t, []string{id(b1)}, ids("archived=true", w.bob))
	require.Empty(t, ids("archived=true", w.alice))
	require.Equal(t, []string{id(b2)}, ids("deleted=true", w.bob))
	require.Empty(t, ids("deleted=true", w.outside))
	require.Equal(t, []string{id(b3)}, ids("private=true", w.bob))
	require.Equal(t, []string{id(a3)}, ids("private=true", w.alice))
	require.Equal(t, []string{id(a1), id(a2)}, ids("private=false&archived=false&deleted=false", w.alice))
}
