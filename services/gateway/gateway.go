package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/relais-data/relais/pkg/httpx"
	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	previewv1 "github.com/relais-data/relais/proto/relais/preview/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/gateway/internal/api"
	"github.com/relais-data/relais/services/gateway/internal/portal"
)

// Deps are the gateway's connections to the rest of Relais.
type Deps struct {
	Catalog catalogv1.CatalogServiceClient
	// Storage serves uploads and downloads; nil answers them 503.
	Storage storagev1.StorageServiceClient
	// Preview serves the tabular API and the previews; nil answers them
	// 503.
	Preview previewv1.PreviewServiceClient
	// Search answers /api/2/datasets/search/, the suggestions and the v1
	// lists' q; nil answers the search endpoints 501 as udata does when
	// search is disabled, and v1's q from the catalog.
	Search searchv1.SearchServiceClient
	// Events receives the views the gateway serves
	// (relais.gateway.<object>.viewed, counted by the analytics service);
	// nil records none.
	Events Publisher
	// Analytics serves the metrics API; nil answers it 503.
	Analytics analyticsv1.AnalyticsServiceClient
	Log       *slog.Logger
}

// Publisher publishes events (pkg/events.Bus).
type Publisher = api.Publisher

// Gateway serves the public HTTP API.
type Gateway struct {
	handler http.Handler
	api     *api.Server
}

// New builds the gateway. Nothing starts: serve [Gateway.Handler].
func New(cfg Config, deps Deps) (*Gateway, error) {
	if deps.Catalog == nil {
		return nil, errors.New("gateway: no catalog client")
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://localhost:8080"
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	switch cfg.S3Downloads {
	case "", api.S3Redirect, api.S3Proxy:
	default:
		return nil, fmt.Errorf("gateway: s3_downloads %q: want %s or %s", cfg.S3Downloads, api.S3Redirect, api.S3Proxy)
	}
	proxies, err := httpx.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("gateway: trusted_proxies: %w", err)
	}
	srv := api.New(api.Options{
		Catalog:   deps.Catalog,
		Log:       log,
		PublicURL: cfg.PublicURL,
		SiteTitle: cfg.SiteTitle,
		Storage: api.StorageOptions{
			Client: deps.Storage, Token: cfg.StorageToken, S3Downloads: cfg.S3Downloads,
			MaxChunkSize: cfg.MaxChunkSize, Log: log,
		},
		// The preview service shares the storage service's token.
		Preview:   api.PreviewOptions{Client: deps.Preview, Token: cfg.StorageToken},
		Search:    deps.Search,
		Views:     api.ViewOptions{Bus: deps.Events, MaxPerClientPerMinute: cfg.MaxViewsPerClientPerMinute, ClientIP: proxies.ClientIP},
		Analytics: deps.Analytics,
	})
	keys, err := cfg.SessionKeys()
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if keys == nil {
		log.Warn("gateway: no gateway.session_key: portal sessions end when this process does and other replicas refuse them")
	}
	web, err := portal.New(portal.Options{
		Catalog: deps.Catalog, Search: deps.Search, Analytics: deps.Analytics, Views: srv, Log: log,
		Brand: portal.Brand{Name: cfg.SiteTitle, LogoURL: cfg.LogoURL, PrimaryColor: cfg.PrimaryColor},
		Map:   portal.MapOptions{TileURL: cfg.MapTileURL, Attribution: cfg.MapAttribution},
		API:   srv, PublicURL: cfg.PublicURL, Locale: cfg.Locale,
		Sessions: portal.SessionOptions{Keys: keys, ClientIP: proxies.ClientIP},
	})
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	// A trace per request (continued over gRPC by the client's stats
	// handler), an access log line, request rate and latency; panics are answered by srv itself
	// with udata's 500 body.
	return &Gateway{handler: httpx.Chain(split(srv, web), httpx.OTel("gateway"), httpx.AccessLog(log), httpx.Metrics("gateway")), api: srv}, nil
}

// split sends the API's paths (/api/, /metric-api/, and /resources/ where
// stored files are served) to the API and every other one to the web
// portal, so that no page can shadow an API route.
func split(api, web http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/api" || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/metric-api/") || strings.HasPrefix(p, "/resources/") {
			api.ServeHTTP(w, r)
			return
		}
		web.ServeHTTP(w, r)
	})
}

// Close sends the download records still queued, until ctx ends. Call it
// once the HTTP server has stopped.
func (g *Gateway) Close(ctx context.Context) error { return g.api.Close(ctx) }

// Handler is the HTTP handler of the API and of the web portal.
func (g *Gateway) Handler() http.Handler { return g.handler }
