package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/catalog/internal/app"
	"github.com/relais-data/relais/services/catalog/internal/grpcapi"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// Deps are what the service runs on.
type Deps struct {
	DB  *sqldb.DB
	Bus *events.Bus
	Log *slog.Logger
}

// Service is the catalog service.
type Service struct {
	app   *app.Service
	grpc  *grpcapi.Server
	relay *events.Relay
	bus   *events.Bus
	log   *slog.Logger
}

// New migrates the catalog and outbox tables and returns the service.
func New(ctx context.Context, cfg Config, deps Deps) (*Service, error) {
	if deps.DB == nil {
		return nil, errors.New("catalog: a database is required")
	}
	if cfg.TokenSecret == "" {
		return nil, errors.New("catalog: token_secret is required")
	}
	log := deps.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("service", "catalog")
	if err := migrate(ctx, deps.DB); err != nil {
		return nil, err
	}
	s := &Service{log: log, bus: deps.Bus}
	if deps.Bus != nil {
		s.relay = events.NewRelay(deps.DB, deps.Bus, log, events.RelayOptions{})
	}
	s.app = app.New(store.New(deps.DB), app.Options{
		TokenSecret: []byte(cfg.TokenSecret),
		Notify:      s.Notify,
		Log:         log,
	})
	s.grpc = grpcapi.NewServer(s.app, log)
	return s, nil
}

// Migrate brings the catalog and outbox tables of db to the current
// version. New and BootstrapAdmin call it too; `relais migrate` (the Helm
// chart's pre-install/pre-upgrade Job) calls it alone. It is idempotent and,
// on PostgreSQL, safe to run concurrently (advisory lock).
func Migrate(ctx context.Context, db *sqldb.DB) error { return migrate(ctx, db) }

func migrate(ctx context.Context, db *sqldb.DB) error {
	if err := events.MigrateOutbox(ctx, db); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if err := store.Migrate(ctx, db); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return nil
}

// Register registers relais.catalog.v1.CatalogService on r.
func (s *Service) Register(r grpc.ServiceRegistrar) {
	s.grpc.Register(r)
}

// Authenticate turns an API key (the x-api-key metadata, "" when absent)
// into a context carrying the caller; a bad key fails with
// UNAUTHENTICATED and udata's message. Plug it into
// grpcx.ServerOptions.Authenticate.
func (s *Service) Authenticate(ctx context.Context, apiKey string) (context.Context, error) {
	caller, err := s.app.Authenticate(ctx, apiKey)
	if err != nil {
		return nil, grpcapi.Status(ctx, s.log, err)
	}
	return app.WithCaller(ctx, caller), nil
}

// Notify wakes the outbox relay after a commit.
func (s *Service) Notify() {
	if s.relay != nil {
		s.relay.Notify()
	}
}

// Run publishes the outbox and consumes relais.storage.object.stored (when
// the service has a bus) and records token usage until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	if s.bus != nil {
		cons, err := s.consumeStoredObjects(ctx)
		if err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		defer cons.Stop()
	}
	g, ctx := errgroup.WithContext(ctx)
	if s.relay != nil {
		g.Go(func() error { return s.relay.Run(ctx) })
	}
	g.Go(func() error { return s.app.Run(ctx) })
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("catalog: %w", err)
	}
	return nil
}
