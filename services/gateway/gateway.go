package gateway

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/relais-data/relais/pkg/httpx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/api"
)

// Deps are the gateway's connections to the rest of Relais.
type Deps struct {
	Catalog catalogv1.CatalogServiceClient
	Log     *slog.Logger
}

// Gateway serves the public HTTP API.
type Gateway struct {
	handler http.Handler
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
	srv := api.New(api.Options{
		Catalog:   deps.Catalog,
		Log:       log,
		PublicURL: cfg.PublicURL,
	})
	// A trace per request (continued over gRPC by the client's stats
	// handler) and an access log line; panics are answered by srv itself
	// with udata's 500 body.
	return &Gateway{handler: httpx.Chain(srv, httpx.OTel("gateway"), httpx.AccessLog(log))}, nil
}

// Handler is the HTTP handler of /api/1 and /api/2.
func (g *Gateway) Handler() http.Handler { return g.handler }
