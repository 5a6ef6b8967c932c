package harvest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/harvest/internal/grpcapi"
	"github.com/relais-data/relais/services/harvest/internal/harvester"
	"github.com/relais-data/relais/services/harvest/internal/remote"
	"github.com/relais-data/relais/services/harvest/internal/store"
)

// Deps are what the service runs on.
type Deps struct {
	DB *sqldb.DB
	// Bus carries the run jobs; without one, runs execute in this
	// process's queue (still resumed on restart from the database).
	Bus     *events.Bus
	Catalog catalogv1.CatalogServiceClient
	Log     *slog.Logger
}

// Service is the harvest service.
type Service struct {
	cfg     Config
	h       *harvester.Harvester
	grpc    *grpcapi.Server
	bus     *events.Bus
	catalog catalogv1.CatalogServiceClient
	log     *slog.Logger
	local   chan string // run ids to execute, without a bus
}

// New migrates the harvest tables and returns the service.
func New(ctx context.Context, cfg Config, deps Deps) (*Service, error) {
	if deps.DB == nil || deps.Catalog == nil {
		return nil, errors.New("harvest: a database and a catalog are required")
	}
	if cfg.CatalogAPIKey == "" {
		return nil, errors.New("harvest: catalog_api_key is required")
	}
	cfg = cfg.withDefaults()
	log := deps.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("service", "harvest")
	if err := Migrate(ctx, deps.DB); err != nil {
		return nil, err
	}
	fetcher, err := safehttp.New(cfg.Fetch)
	if err != nil {
		return nil, fmt.Errorf("harvest: fetch: %w", err)
	}
	s := &Service{cfg: cfg, bus: deps.Bus, catalog: deps.Catalog, log: log, local: make(chan string, 64)}
	s.h = &harvester.Harvester{
		Store: store.New(deps.DB), Catalog: deps.Catalog, APIKey: cfg.CatalogAPIKey, Log: log,
		Open: func(src store.Source) (remote.Source, error) {
			return remote.Open(src.Kind, src.URL, src.ParamsJSON, fetcher)
		},
	}
	s.grpc = grpcapi.New(s.h, s.queue)
	return s, nil
}

// Register registers relais.harvest.v1.HarvestService on r.
func (s *Service) Register(r grpc.ServiceRegistrar) { s.grpc.Register(r) }

// Authenticate lets sysadmins of the catalog in (their x-api-key); plug it
// into grpcx.ServerOptions.Authenticate.
func (s *Service) Authenticate(ctx context.Context, apiKey string) (context.Context, error) {
	if apiKey == "" {
		return nil, status.Error(codes.Unauthenticated, "an API key is required")
	}
	me, err := s.catalog.GetMe(grpcx.WithAPIKey(ctx, apiKey), &catalogv1.GetMeRequest{})
	if err != nil {
		if status.Code(err) == codes.Unauthenticated {
			return nil, err
		}
		return nil, status.Errorf(codes.Unavailable, "check the API key with the catalog: %v", err)
	}
	if !slices.Contains(me.GetUser().GetRoles(), "admin") {
		return nil, status.Error(codes.PermissionDenied, "harvesting is for sysadmins")
	}
	return ctx, nil
}

// Migrate creates or upgrades the harvest tables of db, as New does at
// start; `relais migrate` runs it before new pods roll out.
func Migrate(ctx context.Context, db *sqldb.DB) error { return store.Migrate(ctx, db) }
