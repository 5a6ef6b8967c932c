package api_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReuseLifecycle(t *testing.T) {
	w := newWorld(t)
	env := w.env
	orgA := str(w.orgA["id"])
	d := w.dataset(t, w.alice, orgA, "Arbres d'alignement", nil)
	d2 := w.dataset(t, w.bob, str(w.orgB["id"]), "Budget primitif", nil)
	did, did2 := str(d["id"]), str(d2["id"])

	body := map[string]any{
		"title": "Carte des arbres", "description": "Une carte **interactive**.", "type": "visualization",
		"topic": "environment_and_energy", "url": "https://carte.example.test/arbres", "tags": []string{"Arbres", "carte"},
		"organization": orgA, "datasets": []any{did}, "extras": map[string]any{"b": 1, "a": "é"},
	}
	expect(t, env.Do(t, "POST", "/api/1/reuses/", body, ""), 401)
	u := expect(t, env.Do(t, "POST", "/api/1/reuses/", body, w.alice), 201).Object(t)
	id, slug := str(u["id"]), str(u["slug"])
	require.Equal(t, "carte-des-arbres", slug)
	require.Equal(t, env.URL+"/api/1/reuses/"+slug+"/", u["uri"])
	require.Equal(t, env.URL+"/reuses/"+slug+"/", u["page"])
	require.Equal(t, []any{"arbres", "carte"}, u["tags"])
	require.Nil(t, u["image"])
	require.Nil(t, u["image_thumbnail"])
	require.Nil(t, u["deleted"])
	require.Nil(t, u["owner"])
	require.Equal(t, "Organization", u["organization"].(map[string]any)["class"])
	require.Equal(t, map[string]any{"delete": true, "edit": true}, u["permissions"])
	require.Equal(t, map[string]any{"a": "é", "b": json.Number("1")}, u["extras"])
	require.Equal(t, map[string]any{
		"datasets": json.Number("1"), "discussions": json.Number("0"), "discussions_open": json.Number("0"),
		"followers": json.Number("0"), "followers_by_months": map[string]any{}, "views": json.Number("0"),
	}, u["metrics"])
	linked := u["datasets"].([]any)
	require.Len(t, linked, 1)
	require.Equal(t, did, linked[0].(map[string]any)["id"])
	require.Contains(t, linked[0].(map[string]any), "resources", "a reuse's detail holds full datasets")

	// Detail by id, slug; slashless 308; X-Fields.
	expect(t, env.Do(t, "GET", "/api/1/reuses/"+id+"/", nil, ""), 200)
	got := expect(t, env.Do(t, "GET", "/api/1/reuses/"+slug+"/", nil, ""), 200).Object(t)
	require.Equal(t, map[string]any{"delete": false, "edit": false}, got["permissions"])
	r := expect(t, env.Do(t, "GET", "/api/1/reuses/"+slug, nil, ""), 308)
	require.Equal(t, env.URL+"/api/1/reuses/"+slug+"/", r.Header.Get("Location"))
	masked := expect(t, env.DoWithHeader(t, "GET", "/api/1/reuses/"+id+"/", nil, "", map[string][]string{"X-Fields": {"id,title,datasets{id}"}}), 200)
	require.JSONEq(t, `{"datasets":[{"id":"`+did+`"}],"id":"`+id+`","title":"Carte des arbres"}`, string(masked.Body))

	// The list reduces datasets to references.
	list := expect(t, env.Do(t, "GET", "/api/1/reuses/?dataset="+did, nil, ""), 200).Object(t)
	require.Equal(t, json.Number("1"), list["total"])
	item := list["data"].([]any)[0].(map[string]any)
	require.Equal(t, []any{map[string]any{
		"id": did, "title": "Arbres d'alignement", "uri": env.URL + "/api/1/datasets/" + str(d["slug"]) + "/",
		"page": env.URL + "/datasets/" + str(d["slug"]) + "/",
	}}, item["datasets"])
	v2 := expect(t, env.Do(t, "GET", "/api/2/reuses/", nil, ""), 200).Object(t)
	require.Equal(t, map[string]any{
		"href": env.URL + "/api/2/datasets/?reuse=" + id + "&page=1&page_size=50", "rel": "subsection", "total": json.Number("1"), "type": "GET",
	}, v2["data"].([]any)[0].(map[string]any)["datasets"])
	for q, n := range map[string]string{
		"tag=arbres": "1", "tag=nope": "0", "type=visualization": "1", "type=api": "0", "topic=environment_and_energy": "1",
		"organization=" + orgA: "1", "q=carte": "1", "q=budget": "0", "featured=true": "0", "sort=-views": "1", "dataset=" + did2: "0",
	} {
		l := expect(t, env.Do(t, "GET", "/api/1/reuses/?"+q, nil, ""), 200).Object(t)
		require.Equal(t, json.Number(n), l["total"], q)
	}
	r = expect(t, env.Do(t, "GET", "/api/1/reuses/?dataset=nope", nil, ""), 400)
	require.JSONEq(t, `{"message":"Dataset arg must be an identifier"}`, string(r.Body))
	r = expect(t, env.Do(t, "GET", "/api/1/reuses/?sort=size", nil, ""), 400)
	require.Contains(t, string(r.Body), "Input payload validation failed")

	// Counted on the dataset and the organization.
	dd := expect(t, env.Do(t, "GET", "/api/1/datasets/"+did+"/", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("1"), dd["metrics"].(map[string]any)["reuses"])
	oo := expect(t, env.Do(t, "GET", "/api/1/organizations/"+orgA+"/", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("1"), oo["metrics"].(map[string]any)["reuses"])

	// Bad input: udata's model errors.
	r = expect(t, env.Do(t, "POST", "/api/1/reuses/", map[string]any{
		"title": "Autre", "description": "d", "type": "video", "topic": "others", "url": "https://carte.example.test/arbres",
	}, w.bob), 400)
	errs := r.Object(t)["errors"].(map[string]any)
	require.Equal(t, "This URL is already registered", errs["url"])
	require.Contains(t, errs["type"], "Value must be one of ['api', 'application'")
	require.Contains(t, r.Object(t), "message")
	r = expect(t, env.Do(t, "POST", "/api/1/reuses/", map[string]any{"title": "x", "description": "d", "type": "api", "topic": "cats", "url": "https://x.test"}, w.bob), 400)
	require.Contains(t, r.Object(t)["errors"].(map[string]any)["topic"], "Value must be one of ['health'")
	r = expect(t, env.Do(t, "POST", "/api/1/reuses/", map[string]any{"description": "d", "type": "api", "topic": "others", "url": "https://x.test"}, w.bob), 400)
	require.JSONEq(t, `{"errors":{"title":"Field is required"},"message":"Field is required"}`, string(r.Body))
	expect(t, env.DoWithHeader(t, "POST", "/api/1/reuses/", "{", w.bob, nil), 400)

	// PUT is partial; the slug follows the title; the old slug redirects.
	upd := expect(t, env.Do(t, "PUT", "/api/1/reuses/"+id+"/", map[string]any{"title": "Carte des arbres 2025"}, w.alice), 200).Object(t)
	require.Equal(t, "carte-des-arbres-2025", upd["slug"])
	require.Equal(t, "visualization", upd["type"])
	r = expect(t, env.Do(t, "GET", "/api/1/reuses/"+slug+"/", nil, ""), 308)
	require.Equal(t, env.URL+"/api/1/reuses/carte-des-arbres-2025/", r.Header.Get("Location"))
	expect(t, env.Do(t, "PUT", "/api/1/reuses/"+id+"/", map[string]any{"title": "Pris"}, w.bob), 403)

	// Link a dataset: 201, then 200; unknown: 404; no id: 400.
	lk := expect(t, env.Do(t, "POST", "/api/1/reuses/"+id+"/datasets/", map[string]any{"class": "Dataset", "id": did2}, w.alice), 201).Object(t)
	require.Len(t, lk["datasets"], 2)
	expect(t, env.Do(t, "POST", "/api/1/reuses/"+id+"/datasets/", map[string]any{"id": did2}, w.alice), 200)
	// The v2 list's link: the datasets the reuse links.
	linkedPage := expect(t, env.Do(t, "GET", "/api/2/datasets/?reuse="+id+"&page=1&page_size=50", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("2"), linkedPage["total"])
	expect(t, env.Do(t, "GET", "/api/1/datasets/?reuse=x", nil, ""), 400)
	expect(t, env.Do(t, "POST", "/api/1/reuses/"+id+"/datasets/", map[string]any{"id": "000000000000000000000000"}, w.alice), 404)
	expect(t, env.Do(t, "POST", "/api/1/reuses/"+id+"/datasets/", map[string]any{"id": "nope"}, w.alice), 404)
	r = expect(t, env.Do(t, "POST", "/api/1/reuses/"+id+"/datasets/", map[string]any{}, w.alice), 400)
	require.JSONEq(t, `{"message":"Expect a dataset identifier"}`, string(r.Body))

	// Plain lists: an organization's (private ones for members) and the caller's.
	priv := expect(t, env.Do(t, "POST", "/api/1/reuses/", map[string]any{
		"title": "Brouillon", "description": "d", "type": "idea", "topic": "others", "url": "https://x.test/draft", "private": true, "organization": orgA,
	}, w.alice), 201).Object(t)
	require.Len(t, expect(t, env.Do(t, "GET", "/api/1/organizations/"+orgA+"/reuses/", nil, ""), 200).JSON(t), 1)
	require.Len(t, expect(t, env.Do(t, "GET", "/api/1/organizations/"+orgA+"/reuses/", nil, w.bob), 200).JSON(t), 1)
	require.Len(t, expect(t, env.Do(t, "GET", "/api/1/organizations/"+orgA+"/reuses/", nil, w.alice), 200).JSON(t), 2)
	mine := expect(t, env.Do(t, "POST", "/api/1/reuses/", map[string]any{
		"title": "Mon idée", "description": "d", "type": "idea", "topic": "others", "url": "https://x.test/mine", "private": true,
	}, w.bob), 201).Object(t)
	own := expect(t, env.Do(t, "GET", "/api/1/me/reuses/", nil, w.bob), 200).JSON(t).([]any)
	require.Len(t, own, 1)
	require.Equal(t, mine["id"], own[0].(map[string]any)["id"])
	expect(t, env.Do(t, "GET", "/api/1/me/reuses/", nil, ""), 401)
	expect(t, env.Do(t, "DELETE", "/api/1/reuses/"+str(priv["id"])+"/", nil, w.alice), 204)

	// Featured: sysadmins only, through its own endpoint; ignored in bodies.
	expect(t, env.Do(t, "POST", "/api/1/reuses/"+id+"/featured/", nil, w.alice), 403)
	f := expect(t, env.Do(t, "POST", "/api/1/reuses/"+id+"/featured/", nil, env.AdminToken), 200).Object(t)
	require.Equal(t, true, f["featured"])
	require.Equal(t, json.Number("1"), expect(t, env.Do(t, "GET", "/api/1/reuses/?featured=true", nil, ""), 200).Object(t)["total"])
	f = expect(t, env.Do(t, "PUT", "/api/1/reuses/"+id+"/", map[string]any{"featured": false}, w.alice), 200).Object(t)
	require.Equal(t, true, f["featured"])
	f = expect(t, env.Do(t, "DELETE", "/api/1/reuses/"+id+"/featured/", nil, env.AdminToken), 200).Object(t)
	require.Equal(t, false, f["featured"])

	// Reference lists.
	types := expect(t, env.Do(t, "GET", "/api/1/reuses/types/", nil, ""), 200).JSON(t).([]any)
	require.Len(t, types, 8)
	require.Equal(t, map[string]any{"id": "api", "label": "API"}, types[0])
	topics := expect(t, env.Do(t, "GET", "/api/1/reuses/topics/", nil, ""), 200).JSON(t).([]any)
	require.Len(t, topics, 15)

	// Delete: 204, then 410 for all but its editors, who restore it.
	r = env.Do(t, "DELETE", "/api/1/reuses/"+id+"/", nil, w.alice)
	require.Equal(t, 204, r.Status)
	r = expect(t, env.Do(t, "GET", "/api/1/reuses/"+id+"/", nil, ""), 410)
	require.JSONEq(t, `{"message":"This reuse has been deleted"}`, string(r.Body))
	expect(t, env.Do(t, "DELETE", "/api/1/reuses/"+id+"/", nil, w.alice), 410)
	expect(t, env.Do(t, "PUT", "/api/1/reuses/"+id+"/", map[string]any{"title": "x"}, w.alice), 410)
	dd = expect(t, env.Do(t, "GET", "/api/1/datasets/"+did+"/", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("0"), dd["metrics"].(map[string]any)["reuses"])
	rest := expect(t, env.Do(t, "PUT", "/api/1/reuses/"+id+"/", map[string]any{"deleted": nil}, w.alice), 200).Object(t)
	require.Nil(t, rest["deleted"])
}

func TestFollowers(t *testing.T) {
	w := newWorld(t)
	env := w.env
	orgA := str(w.orgA["id"])
	d := w.dataset(t, w.alice, orgA, "Arbres", nil)
	u := expect(t, env.Do(t, "POST", "/api/1/reuses/", map[string]any{
		"title": "Carte", "description": "d", "type": "application", "topic": "others", "url": "https://x.test/carte",
		"datasets": []any{map[string]any{"id": str(d["id"])}},
	}, w.bob), 201).Object(t)
	me := expect(t, env.Do(t, "GET", "/api/1/me/", nil, w.alice), 200).Object(t)

	for _, obj := range []struct{ collection, id, metricsPath string }{
		{"datasets", str(d["id"]), "/api/1/datasets/"},
		{"organizations", orgA, "/api/1/organizations/"},
		{"reuses", str(u["id"]), "/api/1/reuses/"},
		{"users", str(me["id"]), ""},
	} {
		path := "/api/1/" + obj.collection + "/" + obj.id + "/followers/"
		expect(t, env.Do(t, "POST", path, nil, ""), 401)
		r := expect(t, env.Do(t, "POST", path, nil, w.bob), 201)
		require.JSONEq(t, `{"followers":1}`, string(r.Body))
		r = expect(t, env.Do(t, "POST", path, nil, w.bob), 200)
		require.JSONEq(t, `{"followers":1}`, string(r.Body))
		r = expect(t, env.Do(t, "POST", path, nil, w.outside), 201)
		require.JSONEq(t, `{"followers":2}`, string(r.Body))

		page := expect(t, env.Do(t, "GET", path, nil, ""), 200).Object(t)
		require.Equal(t, json.Number("2"), page["total"], obj.collection)
		first := page["data"].([]any)[0].(map[string]any)
		require.Equal(t, "Bob", first["follower"].(map[string]any)["first_name"])
		require.Equal(t, "User", first["follower"].(map[string]any)["class"])
		since, err := time.Parse(time.RFC3339Nano, str(first["since"]))
		require.NoError(t, err)
		require.WithinDuration(t, time.Now(), since, time.Minute)
		require.Len(t, first["id"], 24)
		if obj.metricsPath != "" {
			o := expect(t, env.Do(t, "GET", obj.metricsPath+obj.id+"/", nil, ""), 200).Object(t)
			require.Equal(t, json.Number("2"), o["metrics"].(map[string]any)["followers"], obj.collection)
		}

		r = expect(t, env.Do(t, "DELETE", path, nil, w.bob), 200)
		require.JSONEq(t, `{"followers":1}`, string(r.Body))
		expect(t, env.Do(t, "DELETE", path, nil, w.bob), 404)
	}
	// A slug is not an id here; unknown ids are 404.
	expect(t, env.Do(t, "GET", "/api/1/datasets/"+str(d["slug"])+"/followers/", nil, ""), 404)
	expect(t, env.Do(t, "POST", "/api/1/reuses/000000000000000000000000/followers/", nil, w.bob), 404)
	r := expect(t, env.Do(t, "GET", "/api/1/reuses/"+str(u["id"])+"/followers/?user=x", nil, ""), 400)
	require.JSONEq(t, `{"message":"User arg must be an identifier"}`, string(r.Body))

	// followed_by on the reuse list.
	outsider := expect(t, env.Do(t, "GET", "/api/1/me/", nil, w.outside), 200).Object(t)
	l := expect(t, env.Do(t, "GET", "/api/1/reuses/?followed_by="+str(outsider["id"]), nil, ""), 200).Object(t)
	require.Equal(t, json.Number("1"), l["total"])
	got := expect(t, env.Do(t, "GET", "/api/1/reuses/"+str(u["id"])+"/", nil, ""), 200).Object(t)
	m := got["metrics"].(map[string]any)
	require.Equal(t, json.Number("1"), m["followers"])
	months := m["followers_by_months"].(map[string]any)
	require.True(t, slices.Contains([]string{time.Now().UTC().Format("2006-01")}, firstKey(months)), "%v", months)
}

func firstKey(m map[string]any) string {
	for k := range m {
		return k
	}
	return ""
}
