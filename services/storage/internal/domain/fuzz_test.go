package domain

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/relais-data/relais/pkg/blob"
)

var testTime = time.Date(2026, 1, 16, 9, 30, 0, 0, time.UTC)

// FuzzParseFilename: whatever the name, either it is refused with a
// reason, or the stored name is a safe key segment whose extension is
// allowed and whose format ends with that extension.
func FuzzParseFilename(f *testing.F) {
	for _, s := range []string{
		"data.csv", "../../etc/passwd", "a\x00b.csv", "x.csv.gz", "Ünïcödé.json", ".csv", "a..csv",
		strings.Repeat("x", 300) + ".tar.gz", "\xff\xfe.csv", "c:\\a\\b.zip", "-.-.csv", "…​.xlsx",
	} {
		f.Add(s)
	}
	allowed, err := NewExtensions(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string) {
		fn, err := ParseFilename(name, allowed)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("%q: error without reason: %v", name, err)
			}
			return
		}
		for _, stored := range []string{fn.Slug, fn.WithCounter(12)} {
			if err := blob.ValidateKey(ResourceKey("dataset", testTime, stored)); err != nil {
				t.Fatalf("%q: stored name %q is no key segment: %v", name, stored, err)
			}
			if strings.ContainsAny(stored, "/\\\x00 ") || strings.HasPrefix(stored, ".") {
				t.Fatalf("%q: unsafe stored name %q", name, stored)
			}
		}
		if !allowed.Allowed(fn.Ext) || !strings.HasSuffix(fn.Format, fn.Ext) || fn.Slug != fn.Stem+fn.Suffix || fn.Suffix != "."+fn.Format {
			t.Fatalf("%q: inconsistent %+v", name, fn)
		}
		if fn.Format != strings.ToLower(fn.Format) || fn.Slug != strings.ToLower(fn.Slug) {
			t.Fatalf("%q: not lowercase %+v", name, fn)
		}
		if !utf8.ValidString(fn.Original) || len(fn.Original) > MaxOriginalFilenameLen || strings.ContainsAny(fn.Original, "\x00\r\n/\\") {
			t.Fatalf("%q: unsafe original %q", name, fn.Original)
		}
		if _, err := DetectMIME([]byte(name), fn, name); err != nil && ReasonOf(err) != ReasonHTMLContent {
			t.Fatalf("%q: DetectMIME: %v", name, err)
		}
	})
}
