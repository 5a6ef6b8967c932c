package api

import (
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/relais-data/relais/pkg/grpcx"
	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// Version is what /api/1/site/ reports as the software version.
const Version = "0.1.0"

// Options are the dependencies of a [Server].
type Options struct {
	Catalog   catalogv1.CatalogServiceClient
	Log       *slog.Logger
	PublicURL string
	// SiteTitle is the portal's name in /api/1/site/ (default "Relais").
	SiteTitle string
	// Storage serves uploads and downloads (storage.go).
	Storage StorageOptions
	// Preview serves the tabular API and the previews (preview.go).
	Preview PreviewOptions
	// Search serves the search endpoints (search.go); nil disables them.
	Search searchv1.SearchServiceClient
	// Views publishes the views of objects (view_events.go).
	Views ViewOptions
	// Analytics serves the metrics API (metrics_api.go); nil answers it
	// 503.
	Analytics analyticsv1.AnalyticsServiceClient
}

// Server is the HTTP handler of the API.
type Server struct {
	catalog catalogv1.CatalogServiceClient
	log     *slog.Logger
	render  *udata.Renderer
	site    udata.SiteInfo
	mux     *http.ServeMux
	// rules maps the routes in Werkzeug's notation, stripped of their
	// converters, to the routes as 404 suggestions write them; ruleKeys
	// lists the keys.
	rules    map[string]string
	ruleKeys []string
	writers  sync.Pool
	files    *files
	preview  preview
	search   searchv1.SearchServiceClient
	views    *viewRecorder
	// analytics serves the metrics API; nil without one.
	analytics analyticsv1.AnalyticsServiceClient
}

// New builds the server and its routes.
func New(opts Options) *Server {
	s := &Server{
		catalog: opts.Catalog,
		log:     opts.Log,
		render:  udata.NewRenderer(opts.PublicURL),
		mux:     http.NewServeMux(),
		rules:   map[string]string{},
	}
	s.files = newFiles(opts.Storage, opts.PublicURL)
	s.preview = preview{client: opts.Preview.Client, token: opts.Preview.Token, base: opts.PublicURL}
	s.search = opts.Search
	s.views = newViewRecorder(opts.Views, opts.Log)
	s.analytics = opts.Analytics
	host := opts.PublicURL
	if u, err := url.Parse(opts.PublicURL); err == nil && u.Host != "" {
		host = u.Host
	}
	title := opts.SiteTitle
	if title == "" {
		title = "Relais"
	}
	s.site = udata.SiteInfo{ID: host, Title: title, Version: Version, FeedSize: 20}
	s.writers.New = func() any { return udata.NewWriter(16 << 10) }
	for _, rt := range s.routes() {
		s.handle(rt)
	}
	s.mux.HandleFunc("/", s.unmatched)
	s.ruleKeys = slices.Sorted(maps.Keys(s.rules))
	return s
}

// ServeHTTP forwards the caller's X-API-KEY to the catalog, routes the
// request, and turns a panic into udata's 500.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.ErrorContext(r.Context(), "http handler panic",
				"method", r.Method, "path", r.URL.Path, "err", p, "stack", string(debug.Stack()))
			writeMessage(w, http.StatusInternalServerError, msgInternalError)
		}
	}()
	if s.cors(w, r) {
		return
	}
	if key := r.Header.Get("X-API-KEY"); key != "" {
		if !printableASCII(key) {
			// No token looks like this, and gRPC metadata cannot carry it.
			writeUnauthorized(w, msgInvalidToken)
			return
		}
		r = r.WithContext(grpcx.WithAPIKey(r.Context(), key))
	}
	if !utf8.ValidString(r.URL.Path) {
		// Werkzeug decodes paths with errors="replace"; so do we (the
		// catalog's protobuf strings must be valid UTF-8).
		r.URL.Path = strings.ToValidUTF8(r.URL.Path, "\uFFFD")
		r.URL.RawPath = ""
	}
	if !strings.HasSuffix(r.URL.Path, "/") {
		// ServeMux would redirect to the slash form itself, with a 307
		// and a relative Location; Werkzeug's is a 308 to the absolute URL.
		if _, pattern := s.mux.Handler(r); strings.HasSuffix(pattern, "/{$}") {
			s.redirect(w, r, r.URL.EscapedPath()+"/", http.StatusPermanentRedirect)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
