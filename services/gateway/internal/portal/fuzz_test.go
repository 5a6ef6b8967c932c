package portal

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// FuzzMarkdown: no description, however forged, puts a script, an event
// handler or a javascript: link in the page.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		"# Titre\n\nDu **gras** et un [lien](https://example.test).",
		"<script>alert(1)</script>",
		"[x](javascript:alert(1))",
		"<img src=x onerror=alert(1)>",
		"| a | b |\n|---|---|\n| 1 | 2 |",
		"<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
		"```\n<script>\n```",
		"![x](data:text/html;base64,PHNjcmlwdD4=)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := strings.ToLower(string(renderMarkdown(src)))
		// Text may say "javascript:" (escaped, it is only text); tags
		// may not carry it, nor an event handler.
		for _, tag := range htmlTag.FindAllString(out, -1) {
			for _, bad := range []string{"<script", "<iframe", "<style", "<object", "<embed", "javascript:", "vbscript:", "data:text"} {
				if strings.Contains(tag, bad) {
					t.Fatalf("%q renders %q: tag %q has %q", src, out, tag, bad)
				}
			}
			if eventHandler.MatchString(tag) {
				t.Fatalf("%q renders %q: tag %q has an event handler", src, out, tag)
			}
		}
	})
}

var (
	htmlTag      = regexp.MustCompile(`<[^>]*>?`)
	eventHandler = regexp.MustCompile(`\son[a-z]+\s*=`)
)

// FuzzSearchArgs: any query string gives arguments within bounds whose URL
// reads back the same, on the dataset search and on the reuse list.
func FuzzSearchArgs(f *testing.F) {
	for _, s := range []string{"q=budget", "q=budget&organization=5a&page=3&sort=-views", "page=-1&tag=a&tag=a", "q=%ff&format=%00", "page=99999999999999999999",
		"type=api&topic=health&sort=-datasets", "type=%ff&type=&organization=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, parse := range []func(*url.URL) searchArgs{parseSearchArgs, parseReuseArgs} {
			checkArgs(t, raw, parse)
		}
	})
}

// checkArgs checks one parser on one query string.
func checkArgs(t *testing.T, raw string, parse func(*url.URL) searchArgs) {
	a := parse(&url.URL{RawQuery: raw})
	if a.page < 1 || a.page > searchMaxPage {
		t.Fatalf("%q: page %d", raw, a.page)
	}
	u, err := url.Parse(a.href())
	if err != nil {
		t.Fatalf("%q: href %q: %v", raw, a.href(), err)
	}
	b := parse(u)
	if b.href() != a.href() {
		t.Fatalf("%q: %q reads back as %q", raw, a.href(), b.href())
	}
}
