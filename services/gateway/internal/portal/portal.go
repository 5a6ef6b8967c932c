package portal

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// ViewRecorder counts the views the portal serves (the API server's view
// recorder: relais.gateway.<object>.viewed, rate-limited per client).
type ViewRecorder interface {
	RecordView(r *http.Request, objectType, objectID, datasetID string, channel eventsv1.ViewChannel)
}

// Brand is what an operator sets to make the portal theirs.
type Brand struct {
	// Name is the site's name in titles and the header (default "Relais").
	Name string
	// LogoURL is an image shown beside the name ("" shows none).
	LogoURL string
	// PrimaryColor is the colour of the header, links and buttons, as
	// #rrggbb (default #1f4e79). Text on it is white or black, whichever
	// contrasts more.
	PrimaryColor string
}

// MapOptions configure the previews' maps.
type MapOptions struct {
	// TileURL is a raster tile template ({z}/{x}/{y}); "" draws the data
	// on a plain background, as happens when the tiles cannot be reached.
	TileURL string
	// Attribution is the tiles' credit line.
	Attribution string
}

// Options are the portal's dependencies.
type Options struct {
	Catalog catalogv1.CatalogServiceClient
	// Search answers the search page and its facets; nil falls back to
	// the catalog's word match, without facets.
	Search searchv1.SearchServiceClient
	// Analytics gives the organizations' usage figures; nil shows none.
	Analytics analyticsv1.AnalyticsServiceClient
	// Views records page views; nil records none.
	Views ViewRecorder
	Brand Brand
	Map   MapOptions
	Log   *slog.Logger
	// API is the gateway's API handler: the agents' scripts reach it
	// through /espace/api/ with their session (nil: no relay).
	API http.Handler
	// PublicURL is the site's address; https makes the cookies Secure.
	PublicURL string
	// Sessions tune sign-in; zero values are the defaults.
	Sessions SessionOptions
	// Locale is the pages' language: "fr" (the default, complete) or
	// "en" (the public pages; the rest reads in French).
	Locale string
}

// Portal serves the web pages.
type Portal struct {
	opts       Options
	pages      map[string]*template.Template
	loc        *locale
	mux        *http.ServeMux
	theme      theme
	references references
	homeData   ttlCache[homePage]
	sealer     *sealer
	checks     *tokenChecks
	attempts   *attempts
	secure     bool
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// contentSecurityPolicy allows the portal's own scripts only, so that
// nothing a producer writes can run in a visitor's browser even if it got
// past the sanitizer. Images may come from anywhere: logos and map tiles
// are the operator's choice. The layout's one inline style carries the
// brand colours.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src * data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

// New parses the templates and builds the routes.
func New(opts Options) (*Portal, error) {
	if opts.Catalog == nil {
		return nil, fmt.Errorf("portal: no catalog client")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Brand.Name == "" {
		opts.Brand.Name = "Relais"
	}
	if opts.Brand.PrimaryColor == "" {
		opts.Brand.PrimaryColor = "#1f4e79"
	}
	if !hexColor.MatchString(opts.Brand.PrimaryColor) {
		return nil, fmt.Errorf("portal: primary colour %q: want #rrggbb", opts.Brand.PrimaryColor)
	}
	loc, err := localeFor(opts.Locale)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages(loc)
	if err != nil {
		return nil, err
	}
	p := &Portal{opts: opts, pages: pages, loc: loc, mux: http.NewServeMux(), theme: newTheme(opts.Brand.PrimaryColor)}
	p.homeData.ttl = homeTTL
	p.opts.Sessions.setDefaults()
	if p.sealer, err = newSealer(p.opts.Sessions.Keys); err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	p.checks = newTokenChecks(opts.Catalog, p.opts.Sessions.Now, p.opts.Sessions.CheckTTL)
	p.attempts = newAttempts(p.opts.Sessions.Now, p.opts.Sessions.AttemptWindow)
	p.secure = strings.HasPrefix(strings.ToLower(opts.PublicURL), "https://")
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	p.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	p.mux.HandleFunc("GET /{$}", p.home)
	p.mux.HandleFunc("GET /datasets/{$}", p.searchPage)
	p.mux.HandleFunc("GET /datasets/{slug}/{$}", p.datasetPage)
	p.mux.HandleFunc("GET /organizations/{slug}/{$}", p.organizationPage)
	p.mux.HandleFunc("GET /reuses/{$}", p.reusesPage)
	p.mux.HandleFunc("GET /reuses/{slug}/{$}", p.reusePage)
	p.routeAgents()
	p.mux.HandleFunc("/", p.notFoundPage)
	return p, nil
}

// ServeHTTP serves a page, adding the trailing slash the routes end with.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !utf8.ValidString(r.URL.Path) {
		// Catalog lookups go over gRPC, whose strings must be UTF-8.
		r = withPath(r, strings.ToValidUTF8(r.URL.Path, "\uFFFD"))
	}
	if !strings.HasSuffix(r.URL.Path, "/") && r.Method == http.MethodGet {
		if _, slashed := p.mux.Handler(withPath(r, r.URL.Path+"/")); strings.HasSuffix(slashed, "/{$}") {
			target := r.URL.EscapedPath() + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusPermanentRedirect)
			return
		}
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
	w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")
	p.mux.ServeHTTP(w, r)
}

func withPath(r *http.Request, path string) *http.Request {
	r2 := *r
	u := *r.URL
	u.Path, u.RawPath = path, ""
	r2.URL = &u
	return &r2
}

// cacheStatic lets browsers keep the assets for a day: they change only
// with a new release.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// recordView counts a page view of an object, when the portal has a recorder.
func (p *Portal) recordView(r *http.Request, objectType, id string) {
	if p.opts.Views != nil {
		p.opts.Views.RecordView(r, objectType, id, "", eventsv1.ViewChannel_VIEW_CHANNEL_WEB)
	}
}
