package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/storage/internal/app"
	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/grpcapi"
	"github.com/relais-data/relais/services/storage/internal/store"
)

// Deps are what the service runs on.
type Deps struct {
	DB *sqldb.DB
	// Bus publishes the outbox and download events; nil leaves events in
	// the outbox and refuses RecordDownload (UNAVAILABLE).
	Bus *events.Bus
	Log *slog.Logger
	// Blob, when set, is used instead of opening Config.Blob.
	Blob blob.Store
}

// Service is the storage service.
type Service struct {
	app   *app.Service
	grpc  *grpcapi.Server
	relay *events.Relay
	bus   *events.Bus
	cfg   Config
	log   *slog.Logger
}

// New migrates the storage and outbox tables, opens the blob store and
// returns the service.
func New(ctx context.Context, cfg Config, deps Deps) (*Service, error) {
	if deps.DB == nil {
		return nil, errors.New("storage: a database is required")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	log := deps.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("service", "storage")
	ext, err := domain.NewExtensions(cfg.AllowedExtensions)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	bs := deps.Blob
	if bs == nil {
		if bs, err = blob.Open(ctx, cfg.Blob); err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
	}
	if err := Migrate(ctx, deps.DB); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, log: log, bus: deps.Bus}
	if deps.Bus != nil {
		s.relay = events.NewRelay(deps.DB, deps.Bus, log, events.RelayOptions{})
	}
	s.app, err = app.New(app.Options{
		Blob: bs, Store: store.New(deps.DB), Bus: deps.Bus, Notify: s.notify, Extensions: ext,
		MaxFileSize: cfg.MaxFileSize, MaxChunkSize: cfg.MaxChunkSize, PartRetention: cfg.PartRetention,
		Quota: cfg.QuotaOf, Log: log,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if s.grpc, err = grpcapi.NewServer(s.app, cfg.ServiceToken, log); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return s, nil
}

// Migrate creates or upgrades the storage and outbox tables of db, as New
// does at start; `relais migrate` runs it before new pods roll out.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	if err := events.MigrateOutbox(ctx, db); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if err := store.Migrate(ctx, db); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}

// Register registers relais.storage.v1.StorageService on r.
func (s *Service) Register(r grpc.ServiceRegistrar) {
	s.grpc.Register(r)
}

func (s *Service) notify() {
	if s.relay != nil {
		s.relay.Notify()
	}
}

// Run publishes the outbox and deletes the objects of deleted resources
// (when the service has a bus), and collects the leftovers of abandoned
// uploads every CollectInterval, until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	if s.bus != nil {
		cons, err := s.consumeResourceDeletions(ctx)
		if err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		defer cons.Stop()
	}
	g, ctx := errgroup.WithContext(ctx)
	if s.relay != nil {
		g.Go(func() error { return s.relay.Run(ctx) })
	}
	g.Go(func() error { return s.app.RunCollector(ctx, s.cfg.CollectInterval) })
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}
