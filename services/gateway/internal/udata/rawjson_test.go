package udata

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"
)

func TestRawObject(t *testing.T) {
	cases := map[string]string{
		``:      `{}`,
		`null`:  `{}`,
		`{}`:    `{}`,
		`[1]`:   `{}`,
		`{"a":`: `{}`,
		`{"b":1,"a":[true,null,{"d":"x","c":1.50}]}`:   `{"a": [true, null, {"c": 1.50, "d": "x"}], "b": 1}`,
		`{"é":"é","e":"\u00e9\ud83c\udfdb\u0041\"\/"}`: `{"e": "\u00e9\ud83c\udfdbA\"/", "\u00e9": "\u00e9"}`,
		`{"k":1,"k":2}`:                                     `{"k": 2}`,
		` { "sp" : [ ] , "x" : { } } `:                      `{"sp": [], "x": {}}`,
		`{"check:status": 200, "analysis:checksum": "abc"}`: `{"analysis:checksum": "abc", "check:status": 200}`,
		`{"a": tru}`:                                        `{}`,
	}
	for in, want := range cases {
		w := NewWriter(64)
		w.RawObject([]byte(in), "{}")
		if got := string(w.Bytes()); got != want {
			t.Errorf("RawObject(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestRawString(t *testing.T) {
	src := []byte(`{"a": {"issued_at": "no"}, "issued_at": "2024-01-02T03:04:05", "n": 1}`)
	if s, ok := rawString(src, "issued_at"); !ok || s != "2024-01-02T03:04:05" {
		t.Errorf("rawString = %q, %v", s, ok)
	}
	if _, ok := rawString(src, "n"); ok {
		t.Error("a number is not a string")
	}
	if _, ok := rawString(src, "missing"); ok {
		t.Error("missing key found")
	}
}

var surrogateEscape = regexp.MustCompile(`(?i)\\ud[89a-f]`)

// FuzzRawObject checks the streaming re-encoder against decoding with
// encoding/json and writing the decoded map.
func FuzzRawObject(f *testing.F) {
	f.Add([]byte(`{"b":1,"a":[true,null,{"d":"x","c":1.5}]}`))
	f.Add([]byte(`{"é":"\u00e9","k":"\n\t\"\\"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if dec.Decode(&m) != nil || m == nil || dec.More() || surrogateEscape.Match(data) {
			return
		}
		if !json.Valid(data) {
			return
		}
		want := NewWriter(64)
		want.Object(m)
		got := NewWriter(64)
		got.RawObject(data, "{}")
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("RawObject(%s)\n got %s\nwant %s", data, got.Bytes(), want.Bytes())
		}
	})
}
