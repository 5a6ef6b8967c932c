package api_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/gateway/internal/jsonshape"
)

// referenceReuseFields reads the reuse object's fields from the "Object:"
// line of §5 of shared/reference/udata-api.md (no real reuse response is
// saved there): top-level keys, and the keys of the nested objects
// written key{a,b}.
func referenceReuseFields(t *testing.T) (top []string, nested map[string][]string) {
	t.Helper()
	dir, ok := jsonshape.ReferenceDir()
	if !ok {
		t.Skip("no shared/reference folder (set RELAIS_REFERENCE_DIR)")
	}
	data, err := os.ReadFile(filepath.Join(dir, "udata-api.md"))
	require.NoError(t, err)
	doc := string(data)
	start := strings.Index(doc, "## 5. Reuses")
	require.GreaterOrEqual(t, start, 0)
	section := doc[start:]
	line := section[strings.Index(section, "\nObject:")+1:]
	line = line[:strings.Index(line, "Required on create")]
	var spec strings.Builder
	nested = map[string][]string{}
	for _, m := range regexp.MustCompile("`([^`]*)`").FindAllStringSubmatch(line, -1) {
		if strings.HasPrefix(m[1], "{") { // the shape of datasets in lists
			nested["datasets[] in lists"] = strings.Split(strings.Trim(m[1], "{}"), ",")
			continue
		}
		spec.WriteString(m[1] + ",")
	}
	rest := regexp.MustCompile(`(\w+)\{([^}]*)\}`).ReplaceAllStringFunc(spec.String(), func(s string) string {
		i := strings.IndexByte(s, '{')
		if strings.Contains(s[i:], ",") { // key{a,b}: a nested object
			nested[s[:i]] = strings.Split(s[i+1:len(s)-1], ",")
			return s[:i]
		}
		return s[:i]
	})
	for _, k := range strings.Split(rest, ",") {
		if k = strings.TrimSpace(k); k != "" && !slices.Contains(top, k) {
			top = append(top, k)
		}
	}
	return top, nested
}

// TestReuseCompatibility holds a reuse's JSON against the reference's
// field list: the same keys (none missing, none added), nested metrics
// and permissions included, with udata's JSON types.
func TestReuseCompatibility(t *testing.T) {
	top, nested := referenceReuseFields(t)
	require.Contains(t, top, "topic")
	require.Contains(t, nested, "metrics")
	require.Contains(t, nested, "datasets[] in lists")

	w := newWorld(t)
	env := w.env
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Arbres", nil)
	u := expect(t, env.Do(t, "POST", "/api/1/reuses/", map[string]any{
		"title": "Carte", "description": "d", "type": "application", "topic": "others", "url": "https://x.test/carte",
		"datasets": []any{str(d["id"])}, "tags": []string{"carte"},
	}, w.alice), 201).Object(t)
	for _, path := range []string{"/api/1/reuses/" + str(u["id"]) + "/", "/api/1/reuses/"} {
		got := expect(t, env.Do(t, "GET", path, nil, ""), 200).Object(t)
		if data, ok := got["data"].([]any); ok {
			got = data[0].(map[string]any)
		}
		require.ElementsMatch(t, top, keys(got), path)
		for k, want := range nested {
			if k == "datasets[] in lists" {
				if path == "/api/1/reuses/" {
					require.ElementsMatch(t, want, keys(got["datasets"].([]any)[0].(map[string]any)), k)
				}
				continue
			}
			require.ElementsMatch(t, want, keys(got[k].(map[string]any)), path+" "+k)
		}
		for _, k := range []string{"id", "title", "slug", "description", "type", "url", "topic", "created_at", "last_modified", "uri", "page"} {
			require.IsType(t, "", got[k], k)
		}
		for _, k := range []string{"private", "featured"} {
			require.IsType(t, false, got[k], k)
		}
		for _, k := range []string{"tags", "datasets", "dataservices", "badges"} {
			require.IsType(t, []any{}, got[k], k)
		}
		require.IsType(t, map[string]any{}, got["extras"])
		require.IsType(t, map[string]any{}, got["owner"], "a user's reuse")
		require.Nil(t, got["organization"], "a user's reuse")
		for _, k := range []string{"image", "image_thumbnail", "deleted", "archived"} {
			require.Nil(t, got[k], k)
		}
		require.IsType(t, map[string]any{}, got["metrics"].(map[string]any)["followers_by_months"])
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
