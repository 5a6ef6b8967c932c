package api

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestCloseMatchesLikePython replays cases recorded with CPython's difflib
// (testdata/difflib.json says which version).
func TestCloseMatchesLikePython(t *testing.T) {
	data, err := os.ReadFile("testdata/difflib.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases [][3]json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	for _, c := range file.Cases {
		var word string
		var poss, want []string
		if json.Unmarshal(c[0], &word) != nil || json.Unmarshal(c[1], &poss) != nil || json.Unmarshal(c[2], &want) != nil {
			t.Fatal("bad case")
		}
		got := closeMatches(word, poss, 3, 0.6)
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(got, want) {
			t.Errorf("closeMatches(%q) = %q, want %q", word, got, want)
		}
	}
}
