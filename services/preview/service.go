package preview

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/grpc"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/preview/internal/grpcapi"
	"github.com/relais-data/relais/services/preview/internal/pipeline"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// Deps are what the service runs on.
type Deps struct {
	DB *sqldb.DB
	// Bus brings the storage and catalog events; nil analyzes nothing but
	// what Reanalyze asks for.
	Bus *events.Bus
	// Catalog receives the analysis as resources' extras; Storage serves
	// uploaded files' bytes. Either nil leaves that part undone.
	Catalog catalogv1.CatalogServiceClient
	Storage storagev1.StorageServiceClient
	Log     *slog.Logger
}

// Service is the preview service.
type Service struct {
	cfg      Config
	log      *slog.Logger
	bus      *events.Bus
	catalog  catalogv1.CatalogServiceClient
	records  *records.Store
	tabular  *tabular.Store
	pipeline *pipeline.Pipeline
	grpc     *grpcapi.Server
}

// New migrates the preview and tabular tables and returns the service.
func New(ctx context.Context, cfg Config, deps Deps) (*Service, error) {
	if deps.DB == nil {
		return nil, errors.New("preview: a database is required")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	log := deps.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("service", "preview")
	if err := records.Migrate(ctx, deps.DB); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	topt := cfg.Tabular.options()
	topt.Log = log
	tab, err := tabular.OpenWith(ctx, deps.DB, topt)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	fetcher, err := safehttp.New(cfg.Fetch)
	if err != nil {
		tab.Close()
		return nil, fmt.Errorf("preview: %w", err)
	}
	recs := records.New(deps.DB)
	pl, err := pipeline.New(pipeline.Options{
		Records: recs, Tabular: tab, Catalog: deps.Catalog, CatalogAPIKey: cfg.CatalogAPIKey,
		Storage: deps.Storage, StorageToken: cfg.ServiceToken, Fetcher: fetcher,
		Concurrency: cfg.Concurrency, Attempts: cfg.Attempts, TempDir: cfg.TempDir, Log: log,
	})
	if err != nil {
		tab.Close()
		return nil, fmt.Errorf("preview: %w", err)
	}
	s := &Service{cfg: cfg, log: log, bus: deps.Bus, catalog: deps.Catalog, records: recs, tabular: tab, pipeline: pl}
	s.grpc = grpcapi.NewServer(grpcapi.Options{
		Records: recs, Tabular: tab, Reanalyze: s.reanalyze, ServiceToken: cfg.ServiceToken, Log: log,
	})
	return s, nil
}

// Migrate creates or upgrades the preview and tabular tables of db, as New
// does at start.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	if err := records.Migrate(ctx, db); err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	tab, err := tabular.Open(ctx, db)
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	return tab.Close()
}

// Close releases what New opened beside deps: the DuckDB file of the
// tabular store's duckdb engine. Call it once Run and the gRPC server are
// done.
func (s *Service) Close() error { return s.tabular.Close() }

// Register registers relais.preview.v1.PreviewService on r.
func (s *Service) Register(r grpc.ServiceRegistrar) { s.grpc.Register(r) }

// handledRetention is how long handled event ids are kept: longer than
// the stream keeps events.
const handledRetention = 30 * 24 * time.Hour

// Run consumes the storage and catalog events (when the service has a
// bus: stored files, resource and dataset changes) until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	if s.bus != nil {
		// The consumers live until the deferred Stops: a context that ends
		// would also stop them, from another goroutine (pkg/events'
		// AfterFunc), racing with Consume's own setup. The handler running
		// when ctx ends is cancelled by once.
		cctx := context.WithoutCancel(ctx)
		stored, err := s.consumeStoredFiles(cctx, ctx)
		if err != nil {
			return fmt.Errorf("preview: %w", err)
		}
		defer stored.Stop()
		changed, err := s.consumeResourceChanges(cctx, ctx)
		if err != nil {
			return fmt.Errorf("preview: %w", err)
		}
		defer changed.Stop()
		datasets, err := s.consumeDatasetChanges(cctx, ctx)
		if err != nil {
			return fmt.Errorf("preview: %w", err)
		}
		defer datasets.Stop()
	}
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if err := s.records.ForgetHandledBefore(ctx, time.Now().Add(-handledRetention)); err != nil {
				s.log.WarnContext(ctx, "forget handled events", "err", err)
			}
		}
	}
}
