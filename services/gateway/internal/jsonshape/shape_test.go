package jsonshape

import (
	"slices"
	"testing"
)

func TestCheckConventions(t *testing.T) {
	good := []string{
		`{"a": 1, "b": {"a": [1, {"x": null, "y": "z, w: v"}], "c": "\u00e9"}}`,
		`[{"b": 1}, {"a": 2}]`,
		`{"a": "\"}, {\"z\": 1"}`,
	}
	for _, s := range good {
		if err := CheckConventions([]byte(s)); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	bad := []string{
		`{"b": 1, "a": 2}`,          // unsorted
		`{"a": {"d": 1, "c": 2}}`,   // unsorted, nested
		`{"a": [{"b": 1, "a": 1}]}`, // unsorted, in an array
		`{"a":1}`,                   // compact separator
		`{"a": 1,"b": 2}`,           // compact separator
		`{"a": "é"}`,                // non-ASCII
		`{"a": 1, "a": 2}`,          // repeated key
	}
	for _, s := range bad {
		if err := CheckConventions([]byte(s)); err == nil {
			t.Errorf("%s: accepted", s)
		}
	}
}

func TestCompare(t *testing.T) {
	ref, _ := Decode([]byte(`{"a": 1, "b": null, "c": {"d": "x", "e": [{"f": true}]}, "g": "s", "h": {}}`))
	ours, _ := Decode([]byte(`{"a": 2, "b": [], "c": {"d": 3, "e": [{"f": false, "extra": 1}]}, "g": null, "z": 0}`))
	missing, extra := Compare(ref, ours, Options{Nullable: []string{"$.g"}})
	want := []string{"$.c.d: type number, want string", "$.h: missing (object)"}
	if !slices.Equal(missing, want) {
		t.Errorf("missing = %q, want %q", missing, want)
	}
	if !slices.Equal(extra, []string{"$.c.e[].extra", "$.z"}) {
		t.Errorf("extra = %q", extra)
	}
}
