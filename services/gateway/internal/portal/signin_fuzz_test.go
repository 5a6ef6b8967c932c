package portal

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext: whatever return path a link carries, sign-in only ever
// sends the agent to a path of this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/espace/", "//evil.example/", "/\\evil.example", "https://evil.example/", "/espace/jetons/?x=1#y",
		"javascript:alert(1)", "/%2F%2Fevil.example", "", "/\t/evil.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got == "" {
			return
		}
		if got != next || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") ||
			strings.ContainsAny(got, "\\\t\r\n") {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		// What a browser makes of it, relative to this site, stays here.
		base, _ := url.Parse("https://portail.example/connexion/")
		u, err := base.Parse(got)
		if err != nil || u.Host != "portail.example" {
			t.Fatalf("safeNext(%q) = %q leads to %v (%v)", next, got, u, err)
		}
	})
}
