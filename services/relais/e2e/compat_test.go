package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// reference reads a real data.gouv.fr response saved in ../shared/reference.
func reference(t testing.TB, parts ...string) any {
	t.Helper()
	path := filepath.Join(append([]string{"..", "..", "..", "..", "shared", "reference"}, parts...)...)
	raw, err := os.ReadFile(path)
	require.NoError(t, err, "the real data.gouv.fr responses live in ../shared/reference")
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

// sameShape lists where got lacks a key that the real response ref has, or
// carries it with another JSON type. A null in ref matches any type (the
// real object just had no value there); arrays compare their first items.
func sameShape(path string, ref, got any) []string {
	if ref == nil {
		return nil
	}
	if got == nil && jsonType(ref) != "array" && jsonType(ref) != "boolean" {
		return nil // an optional value that ours just does not have (udata writes null too)
	}
	if jsonType(ref) != jsonType(got) {
		return []string{fmt.Sprintf("%s: %s in data.gouv.fr, %s here", path, jsonType(ref), jsonType(got))}
	}
	var diffs []string
	switch r := ref.(type) {
	case map[string]any:
		g := got.(map[string]any)
		keys := make([]string, 0, len(r))
		for k := range r {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			diffs = append(diffs, sameShape(path+"."+k, r[k], gv)...)
		}
	case []any:
		g := got.([]any)
		if len(r) > 0 && len(g) > 0 {
			diffs = append(diffs, sameShape(path+"[0]", r[0], g[0])...)
		}
	}
	return diffs
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

// dynamicKeys are objects whose keys are data, not schema: extras hold
// whatever the publisher or hydra wrote (so do *_by_months, keyed by month).
var dynamicKeys = map[string]bool{"extras": true}

// withoutDynamic drops the data-keyed objects of a reference before the
// shape comparison.
func withoutDynamic(v any) any {
	switch m := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(m))
		for k, x := range m {
			if !dynamicKeys[k] && !strings.HasSuffix(k, "_by_months") {
				out[k] = withoutDynamic(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(m))
		for i, x := range m {
			out[i] = withoutDynamic(x)
		}
		return out
	}
	return v
}

func requireSameShape(t testing.TB, what string, ref, got any) {
	t.Helper()
	diffs := sameShape(what, withoutDynamic(ref), got)
	require.Empty(t, diffs, "%s differs from the real data.gouv.fr response", what)
}
