package portal

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"time"
)

// pageNames are the templates that are whole pages; each is parsed with
// layout.html, which it fills.
var pageNames = []string{"home", "search", "dataset", "organization", "reuses", "reuse", "error",
	"signin", "account", "dataset_form", "dataset_edit", "tokens", "members"}

// parsePages parses the pages in a language: its messages, dates and
// numbers are the template functions t, tn, date and number.
func parsePages(loc *locale) (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).Funcs(loc.funcs()).ParseFS(templateFiles, "templates/layout.html", "templates/forms.html")
	if err != nil {
		return nil, fmt.Errorf("portal: layout: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("portal: %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// page is what the layout needs beside a page's own data.
type page struct {
	Title string
	Site  Brand
	Theme theme
	// Query is the search box's text.
	Query string
	// Scripts are the page's own scripts, under /static/.
	Scripts []string
	Data    any
	// Agent is the signed-in agent's name ("" for a visitor) and CSRF
	// their session's token, for the header's sign-out form.
	Agent string
	CSRF  string
}

// render writes a page; a template error is logged and answered 500 (the
// buffer keeps a half-written page from reaching the visitor).
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name string, pg page) {
	pg.Site, pg.Theme = p.opts.Brand, p.theme
	if sess, _ := p.session(w, r); sess != nil { // a catalog that cannot say shows a visitor
		pg.Agent, pg.CSRF = sess.name, sess.csrf
	}
	var buf bytes.Buffer
	if err := p.pages[name].ExecuteTemplate(&buf, "layout.html", pg); err != nil {
		p.opts.Log.ErrorContext(r.Context(), "portal page not rendered", "page", name, "err", err)
		http.Error(w, "Erreur interne", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// theme holds the CSS colours derived from the brand's primary colour.
type theme struct {
	Primary   template.CSS
	OnPrimary template.CSS
}

// newTheme picks the text colour on primary (white or near-black) with
// the higher WCAG contrast ratio. primary is a validated #rrggbb.
func newTheme(primary string) theme {
	lum := relativeLuminance(primary)
	on := "#ffffff"
	if (lum+0.05)/0.05 > 1.05/(lum+0.05) {
		on = "#111111"
	}
	return theme{Primary: template.CSS(primary), OnPrimary: template.CSS(on)}
}

// relativeLuminance is WCAG 2.1's relative luminance of #rrggbb.
func relativeLuminance(hex string) float64 {
	var l float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += weight * c
	}
	return l
}

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

var funcs = template.FuncMap{
	"roles": func() any { return roles },
	// fields is the dataset form's data: the values, the session's CSRF
	// token, where it posts and its button.
	"fields": func(f datasetForm, csrf, action, submit string) map[string]any {
		return map[string]any{"Form": f, "CSRF": csrf, "Action": action, "Submit": submit}
	},
}
