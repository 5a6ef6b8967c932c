package portal

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Descriptions are Markdown written by producers (udata's editor): GitHub's
// flavour, rendered without raw HTML, then sanitized again with
// bluemonday's policy for user content, so that no description can carry
// a script or an event handler into the page.
var (
	markdown  = goldmark.New(goldmark.WithExtensions(extension.GFM))
	sanitizer = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(false)
		return p
	}()
)

// maxMarkdown bounds the description rendered (a few are megabytes of
// pasted tables); the rest is cut.
const maxMarkdown = 64 << 10

// renderMarkdown turns a description into safe HTML.
func renderMarkdown(src string) template.HTML {
	if len(src) > maxMarkdown {
		src = src[:maxMarkdown]
	}
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		// goldmark fails only on a failing writer; a bytes.Buffer does not.
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(sanitizer.SanitizeBytes(buf.Bytes()))
}
