package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/search/internal/docs"
	"github.com/relais-data/relais/services/search/internal/grpcapi"
	"github.com/relais-data/relais/services/search/internal/indexer"
	"github.com/relais-data/relais/services/search/internal/ledger"
)

// Index kinds, as the backends name their indexes.
const (
	KindDatasets      = "datasets"
	KindOrganizations = "organizations"
	KindReuses        = "reuses"
)

// ServiceTokenHeader is the metadata key of the admin RPCs' token.
const ServiceTokenHeader = grpcapi.ServiceTokenHeader

// WithServiceToken returns ctx whose outgoing metadata carries token.
func WithServiceToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, ServiceTokenHeader, token)
}

// Deps are what the service runs on.
type Deps struct {
	// DB holds the ledger of applied versions.
	DB *sqldb.DB
	// Bus brings the catalog events; nil indexes nothing (searches still
	// answer, Reindex still rebuilds).
	Bus *events.Bus
	// Catalog is read for truncated snapshots, reindexes and
	// verifications, as an anonymous caller.
	Catalog catalogv1.CatalogServiceClient
	Log     *slog.Logger
}

// Service is the search service.
type Service struct {
	cfg           Config
	bus           *events.Bus
	log           *slog.Logger
	datasets      searchindex.Index
	organizations searchindex.Index
	reuses        searchindex.Index
	ledger        *ledger.Ledger
	indexer       *indexer.Indexer
	grpc          *grpcapi.Server
	ready         atomic.Bool
}

// New migrates the ledger, opens the indexes and returns the service.
func New(ctx context.Context, cfg Config, deps Deps) (*Service, error) {
	if deps.DB == nil || deps.Catalog == nil {
		return nil, errors.New("search: a database and a catalog client are required")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	log := deps.Log
	if log == nil {
		log = slog.Default()
	}
	if err := Migrate(ctx, deps.DB); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, bus: deps.Bus, log: log}
	if s.datasets, err = searchindex.Open(ctx, cfg.Index, KindDatasets, docs.DatasetSchema()); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if s.organizations, err = searchindex.Open(ctx, cfg.Index, KindOrganizations, docs.OrganizationSchema()); err != nil {
		_ = s.datasets.Close()
		return nil, fmt.Errorf("search: %w", err)
	}
	if s.reuses, err = searchindex.Open(ctx, cfg.Index, KindReuses, docs.ReuseSchema()); err != nil {
		_ = s.datasets.Close()
		_ = s.organizations.Close()
		return nil, fmt.Errorf("search: %w", err)
	}
	s.ledger = ledger.New(deps.DB)
	s.indexer = indexer.New(s.ledger, s.datasets, s.organizations, s.reuses, deps.Catalog, log)
	if s.grpc, err = grpcapi.NewServer(s.datasets, s.organizations, s.reuses, s.indexer, cfg.ServiceToken, log); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("search: %w", err)
	}
	return s, nil
}

// Migrate creates or upgrades the search service's tables, as New does at
// start; `relais migrate` runs it before new pods roll out.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	if err := ledger.Migrate(ctx, db); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// Register registers relais.search.v1.SearchService on r.
func (s *Service) Register(r grpc.ServiceRegistrar) { s.grpc.Register(r) }

// Close closes the indexes; call it after Run has returned.
func (s *Service) Close() error {
	return errors.Join(s.datasets.Close(), s.organizations.Close(), s.reuses.Close())
}
