package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Regressions found by walking through the API as its users do.

func TestPublishAsAndOwnerAreFieldErrors(t *testing.T) {
	w := newWorld(t)
	env := w.env
	// udata's PublishAsField and CurrentUserField: 400 field errors, not 403.
	r := expect(t, env.Do(t, "POST", "/api/1/datasets/", map[string]any{
		"title": "t", "description": "d", "organization": str(w.orgB["id"]),
	}, w.alice), 400)
	require.JSONEq(t, `{"errors":{"organization":["Permission denied for this organization"]}}`, string(r.Body))
	bob := expect(t, env.Do(t, "GET", "/api/1/me/", nil, w.bob), 200).Object(t)
	r = expect(t, env.Do(t, "POST", "/api/1/datasets/", map[string]any{
		"title": "t", "description": "d", "owner": bob["id"],
	}, w.alice), 400)
	require.JSONEq(t, `{"errors":{"owner":["You can only set yourself as owner"]}}`, string(r.Body))
	// Moving one's own dataset to another organization is refused the same way.
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Budget", nil)
	r = expect(t, env.Do(t, "PUT", "/api/1/datasets/"+str(d["id"])+"/", map[string]any{"organization": str(w.orgB["id"])}, w.alice), 400)
	require.JSONEq(t, `{"errors":{"organization":["Permission denied for this organization"]}}`, string(r.Body))
	// Editing another organization's dataset stays a 403.
	expect(t, env.Do(t, "PUT", "/api/1/datasets/"+str(d["id"])+"/", map[string]any{"title": "x"}, w.bob), 403)
}

func TestInviteMemberErrors(t *testing.T) {
	w := newWorld(t)
	env := w.env
	path := "/api/1/organizations/" + str(w.orgA["slug"]) + "/member/"
	invite := func(body any, token string, status int) map[string]any {
		return expect(t, env.Do(t, "POST", path, body, token), status).Object(t)
	}
	fieldError := func(field, msg string) map[string]any {
		return map[string]any{"errors": map[string]any{field: msg}, "message": msg}
	}
	require.Equal(t, fieldError("user", "Unknown user 'aaaaaaaaaaaaaaaaaaaaaaaa'"),
		invite(map[string]any{"user": "aaaaaaaaaaaaaaaaaaaaaaaa", "role": "editor"}, w.alice, 400))
	require.Equal(t, fieldError("user", "Either user or email is required"),
		invite(map[string]any{"role": "editor"}, w.alice, 400))
	require.Equal(t, fieldError("user", "Cannot provide both user and email"),
		invite(map[string]any{"user": "aaaaaaaaaaaaaaaaaaaaaaaa", "email": "eve@example.test"}, w.alice, 400))
	r := invite(map[string]any{"email": "nobody@example.test"}, w.alice, 400)
	require.Contains(t, r["errors"], "email")
	// Not an admin of the organization: 403 before any validation.
	expect(t, env.Do(t, "POST", path, map[string]any{"role": "editor"}, w.bob), 403)

	// By email (any case), without a role: an editor.
	m := invite(map[string]any{"email": "EVE@example.test"}, w.alice, 201)
	require.Equal(t, "editor", m["role"])
	require.Equal(t, fieldError("user", "User is already a member"),
		invite(map[string]any{"email": "eve@example.test", "role": "admin"}, w.alice, 400))

	// The legacy route answers 409 with the existing member.
	user := m["user"].(map[string]any)
	r = expect(t, env.Do(t, "POST", path+str(user["id"])+"/", map[string]any{"role": "admin"}, w.alice), 409).Object(t)
	require.Equal(t, "editor", r["role"])
	require.Equal(t, user["id"], r["user"].(map[string]any)["id"])
}

func TestEmptyPutChangesNothing(t *testing.T) {
	w := newWorld(t)
	env := w.env
	org := expect(t, env.Do(t, "PUT", "/api/1/organizations/"+str(w.orgA["id"])+"/", map[string]any{}, w.alice), 200).Object(t)
	require.Equal(t, w.orgA["name"], org["name"])
	require.Equal(t, w.orgA["description"], org["description"])
	expect(t, env.Do(t, "PUT", "/api/1/organizations/"+str(w.orgA["id"])+"/", map[string]any{}, w.bob), 403)

	me := expect(t, env.Do(t, "PUT", "/api/1/me/", map[string]any{}, w.alice), 200).Object(t)
	require.Equal(t, "Alice", me["first_name"])

	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Budget", nil)
	base := "/api/1/datasets/" + str(d["id"]) + "/resources/"
	res := expect(t, env.Do(t, "POST", base, map[string]any{"title": "f", "url": "https://x.test/f.csv", "filetype": "remote"}, w.alice), 201).Object(t)
	got := expect(t, env.Do(t, "PUT", base+str(res["id"])+"/", map[string]any{}, w.alice), 200).Object(t)
	require.Equal(t, "f", got["title"])
	require.Equal(t, "https://x.test/f.csv", got["url"])
}

func TestSlugifiedPathRedirects(t *testing.T) {
	w := newWorld(t)
	env := w.env
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Budget Primitif 2024", nil)
	r := expect(t, env.Do(t, "GET", "/api/1/datasets/Budget%20Primitif%202024/?page=1", nil, ""), 308)
	require.Equal(t, env.URL+"/api/1/datasets/"+str(d["slug"])+"/?page=1", r.Header.Get("Location"))
	r = expect(t, env.Do(t, "GET", "/api/1/organizations/Ville%20de%20Roanne/", nil, ""), 308)
	require.Equal(t, env.URL+"/api/1/organizations/"+str(w.orgB["slug"])+"/", r.Header.Get("Location"))
	expect(t, env.Do(t, "GET", "/api/1/datasets/Budget%20Primitif%202099/", nil, ""), 404)
}

func TestExtrasKeysAndV2Resources(t *testing.T) {
	w := newWorld(t)
	env := w.env
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Équipements", nil)
	id := str(d["id"])
	base := "/api/1/datasets/" + id + "/resources/"
	var rids []string
	for _, title := range []string{"Écoles", "Crèches", "Gymnases"} {
		res := expect(t, env.Do(t, "POST", base, map[string]any{"title": title, "url": "https://x.test/" + title, "filetype": "remote"}, w.alice), 201).Object(t)
		rids = append(rids, str(res["id"]))
	}

	// Deleting an unknown key: ignored for a dataset, 404 for a resource.
	r := env.Do(t, "DELETE", "/api/2/datasets/"+id+"/extras/", []string{"nope"}, w.alice)
	require.Equal(t, 204, r.Status, "%s", r.Body)
	rex := "/api/2/datasets/" + id + "/resources/" + rids[0] + "/extras/"
	expect(t, env.Do(t, "PUT", rex, map[string]any{"check:status": 200}, w.alice), 200)
	r = expect(t, env.Do(t, "DELETE", rex, []string{"check:status", "nope"}, w.alice), 404)
	require.True(t, strings.HasPrefix(str(r.Object(t)["message"]), "Key not found in existing extras"), "%s", r.Body)
	require.JSONEq(t, `{"check:status":200}`, string(expect(t, env.Do(t, "GET", rex, nil, ""), 200).Body), "nothing deleted")

	// v2 resources: udata's own pager links, on the dataset id.
	page := expect(t, env.Do(t, "GET", "/api/2/datasets/"+str(d["slug"])+"/resources/?page_size=1&q=Cr%C3%A8&x=y", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("1"), page["total"])
	require.Nil(t, page["next_page"])
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/"+str(d["slug"])+"/resources/?page_size=1&q=ES&x=y", nil, ""), 200).Object(t)
	require.Equal(t, json.Number("3"), page["total"])
	require.Equal(t, env.URL+"/api/2/datasets/"+id+"/resources/?page=2&page_size=1&q=ES", page["next_page"])
	require.Nil(t, page["previous_page"])
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/"+id+"/resources/?page=4&page_size=1", nil, ""), 200).Object(t)
	require.Empty(t, page["data"])
	require.Nil(t, page["next_page"])
	require.Equal(t, env.URL+"/api/2/datasets/"+id+"/resources/?page=3&page_size=1", page["previous_page"])
	expect(t, env.Do(t, "GET", "/api/2/datasets/"+id+"/resources/?page=9223372036854775807", nil, ""), 200)

	r = expect(t, env.Do(t, "GET", "/api/2/datasets/resources/aaaaaaaa-1111-4bbb-8222-cccccccccccc/", nil, ""), 404)
	require.True(t, strings.HasPrefix(str(r.Object(t)["message"]), "Resource does not exist"), "%s", r.Body)
}

func TestOrganizationBadgeFilter(t *testing.T) {
	w := newWorld(t)
	r := expect(t, w.env.Do(t, "GET", "/api/1/organizations/?badge=nope", nil, ""), 400)
	require.JSONEq(t, `{"errors":{"badge":"The value 'nope' is not a valid choice for 'badge'."},"message":"Input payload validation failed"}`, string(r.Body))
	expect(t, w.env.Do(t, "GET", "/api/1/organizations/?badge=local-authority", nil, ""), 200)
}
