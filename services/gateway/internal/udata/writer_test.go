package udata

import (
	"testing"
	"time"
)

func TestAppendPyString(t *testing.T) {
	cases := map[string]string{
		"plain":              `"plain"`,
		"é":                  `"\u00e9"`,
		"Saint-Étienne":      `"Saint-\u00c9tienne"`,
		"’":                  `"\u2019"`,
		"🏛":                  `"\ud83c\udfdb"`,
		"<script>&</script>": `"<script>&</script>"`,
		"a\"b\\c/d":          `"a\"b\\c/d"`,
		"\n\r\t\b\f":         `"\n\r\t\b\f"`,
		"\x00\x1f\x7f":       `"\u0000\u001f\u007f"`,
		"bad\xffutf8":        `"bad\ufffdutf8"`,
	}
	for in, want := range cases {
		if got := string(appendPyString(nil, in)); got != want {
			t.Errorf("appendPyString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestAppendPyFloat(t *testing.T) {
	cases := map[float64]string{
		0:                   "0.0",
		1:                   "1.0",
		0.5:                 "0.5",
		2.0 / 3.0:           "0.6666666666666666",
		1e16:                "1e+16",
		1e15:                "1000000000000000.0",
		0.0001:              "0.0001",
		0.00001:             "1e-05",
		123456789.125:       "123456789.125",
		-2.5:                "-2.5",
		1.5e300:             "1.5e+300",
		0.666666666666667:   "0.666666666666667",
		12345678901234567:   "1.2345678901234568e+16",
		0.30000000000000004: "0.30000000000000004",
		100000000000000000:  "1e+17",
	}
	for in, want := range cases {
		if got := string(appendPyFloat(nil, in)); got != want {
			t.Errorf("appendPyFloat(%v) = %s, want %s", in, got, want)
		}
	}
}

func TestAppendISOTime(t *testing.T) {
	cases := map[string]string{
		"2025-04-07T06:15:30.658Z":         "2025-04-07T06:15:30.658000+00:00",
		"2019-07-03T23:17:38Z":             "2019-07-03T23:17:38+00:00",
		"2019-07-03T23:17:38.000000999Z":   "2019-07-03T23:17:38+00:00",
		"2024-02-29T01:02:03.000001+02:00": "2024-02-28T23:02:03.000001+00:00",
		"0999-01-01T00:00:00Z":             "0999-01-01T00:00:00+00:00",
	}
	for in, want := range cases {
		tm, err := time.Parse(time.RFC3339Nano, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(AppendISOTime(nil, tm)); got != want {
			t.Errorf("AppendISOTime(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestWriterSeparators(t *testing.T) {
	w := NewWriter(64)
	w.BeginObject()
	w.Key("a")
	w.BeginArray()
	w.Int(1)
	w.Null()
	w.BeginObject()
	w.EndObject()
	w.EndArray()
	w.Key("b")
	w.Object(map[string]any{"z": "é", "a": []any{true, nil}})
	w.EndObject()
	want := `{"a": [1, null, {}], "b": {"a": [true, null], "z": "\u00e9"}}`
	if got := string(w.Bytes()); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestNeedsEscape8(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			word := []byte("abcdefgh")
			word[pos] = byte(c)
			want := c < 0x20 || c >= 0x7f || c == '"' || c == '\\'
			if got := needsEscape8(load8(string(word), 0)); got != want {
				t.Fatalf("byte 0x%02x at %d: got %v, want %v", c, pos, got, want)
			}
		}
	}
	// Every pair of bytes, at two positions, against the byte-wise rule.
	for a := 0; a < 256; a++ {
		for c := 0; c < 256; c++ {
			word := []byte("aaaaaaaa")
			word[2], word[3] = byte(a), byte(c)
			want := false
			for _, x := range word {
				want = want || x < 0x20 || x >= 0x7f || x == '"' || x == '\\'
			}
			if got := needsEscape8(load8(string(word), 0)); got != want {
				t.Fatalf("bytes 0x%02x 0x%02x: got %v, want %v", a, c, got, want)
			}
		}
	}
}

// TestAppendPyStringEveryRune checks every code point (and a few invalid
// sequences) against a straightforward encoding.
func TestAppendPyStringEveryRune(t *testing.T) {
	for r := rune(0); r <= 0x10ffff; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		s := "a" + string(r) + "b"
		want := `"a` + string(appendReference(nil, r)) + `b"`
		if got := string(appendPyString(nil, s)); got != want {
			t.Fatalf("U+%04X: got %s, want %s", r, got, want)
		}
	}
	for in, want := range map[string]string{"\xc3": `"\ufffd"`, "\xc3(": `"\ufffd("`, "\xc0\x80": `"\ufffd\ufffd"`, "\xed\xa0\x80": `"\ufffd\ufffd\ufffd"`} {
		if got := string(appendPyString(nil, in)); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}

func appendReference(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return appendEscapedASCII(b, byte(r))
	case r < 0x10000:
		return appendU(b, r)
	default:
		r -= 0x10000
		return appendU(appendU(b, 0xd800+(r>>10)), 0xdc00+(r&0x3ff))
	}
}
