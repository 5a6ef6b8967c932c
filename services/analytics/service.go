package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/grpc"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/analytics/internal/grpcapi"
	"github.com/relais-data/relais/services/analytics/internal/ingest"
	"github.com/relais-data/relais/services/analytics/internal/store"
)

// Durable is the analytics consumer's durable name.
const Durable = "analytics-counts"

// Deps are what the service runs on.
type Deps struct {
	DB *sqldb.DB
	// Bus delivers the events to count; nil serves the counts without
	// counting anything new.
	Bus *events.Bus
	Log *slog.Logger
	// Catalog receives the figures it shows (with Config.CatalogAPIKey);
	// nil keeps them here only.
	Catalog catalogv1.CatalogServiceClient
}

// Service is the analytics service.
type Service struct {
	cfg   Config
	store *store.Store
	bus   *events.Bus
	log   *slog.Logger
	grpc  *grpcapi.Server
	// catalog receives the figures; nil without one.
	catalog catalogv1.CatalogServiceClient
}

// New migrates the analytics tables and returns the service.
func New(ctx context.Context, cfg Config, deps Deps) (*Service, error) {
	if deps.DB == nil {
		return nil, errors.New("analytics: a database is required")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	log := deps.Log
	if log == nil {
		log = slog.Default()
	}
	if deps.Catalog != nil && cfg.CatalogAPIKey == "" {
		return nil, errors.New("analytics: catalog_api_key is required to send figures to the catalog")
	}
	if err := Migrate(ctx, deps.DB); err != nil {
		return nil, err
	}
	st := store.New(deps.DB)
	return &Service{cfg: cfg, store: st, bus: deps.Bus, log: log, grpc: grpcapi.NewServer(st), catalog: deps.Catalog}, nil
}

// Migrate creates or upgrades the analytics tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	if err := store.Migrate(ctx, db); err != nil {
		return fmt.Errorf("analytics: %w", err)
	}
	return nil
}

// Register registers relais.analytics.v1.AnalyticsService on r.
func (s *Service) Register(r grpc.ServiceRegistrar) { s.grpc.Register(r) }

// Run counts events until ctx ends, and forgets the ids of events counted
// longer ago than SeenRetention.
func (s *Service) Run(ctx context.Context) error {
	if s.bus != nil {
		cons, err := s.bus.ConsumeBatches(ctx, events.ConsumerConfig{
			Durable:        Durable,
			FilterSubjects: ingest.Subjects,
			AckWait:        s.cfg.AckWait,
		}, events.BatchOptions{MaxBatch: s.cfg.MaxBatch, MaxWait: 20 * time.Millisecond}, s.handle)
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped while starting
			}
			return fmt.Errorf("analytics: %w", err)
		}
		defer cons.Stop()
	}
	prune := time.NewTicker(pruneInterval)
	defer prune.Stop()
	push := time.NewTicker(s.cfg.PushInterval)
	defer push.Stop()
	s.prune(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-prune.C:
			if err := s.store.AttributePending(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("attribute pending counts to organizations", "err", err)
			}
			s.prune(ctx)
		case <-push.C:
			if s.catalog == nil {
				continue
			}
			if n, err := s.pushFigures(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("send figures to the catalog", "err", err)
			} else if n > 0 {
				s.log.Debug("sent figures to the catalog", "objects", n)
			}
		}
	}
}

// prune forgets the ids of events counted longer ago than SeenRetention.
func (s *Service) prune(ctx context.Context) {
	if n, err := s.store.Prune(ctx, time.Now().Add(-s.cfg.SeenRetention)); err != nil && ctx.Err() == nil {
		s.log.Warn("prune counted event ids", "err", err)
	} else if n > 0 {
		s.log.Info("pruned counted event ids", "count", n)
	}
}

// handle counts a batch in one transaction. Events that cannot be counted
// are logged and dropped (retrying them would not help); a database error
// naks the batch, which comes back and counts once.
func (s *Service) handle(ctx context.Context, ms []events.Message) error {
	items := make([]ingest.Item, 0, len(ms))
	orgs := map[string]string{}
	var datasets []string
	for _, m := range ms {
		it, err := ingest.Translate(m)
		if err != nil {
			s.log.Warn("event not counted", "subject", m.Subject, "id", m.ID, "err", err)
			continue
		}
		if it.Dataset != "" {
			orgs[it.Dataset] = it.Organization
		}
		if it.OfDataset != "" {
			datasets = append(datasets, it.OfDataset)
		}
		items = append(items, it)
	}
	// Before the batch's counts: a dataset's organization is known before
	// the views that follow its creation in the stream.
	if err := s.store.SetDatasetOrganizations(ctx, orgs); err != nil {
		return err
	}
	orgOf, err := s.store.OrganizationsOf(ctx, datasets)
	if err != nil {
		return err
	}
	counts := make([]store.Event, 0, len(items))
	for _, it := range items {
		if it.Count == nil {
			continue
		}
		// An organization's figures add up its datasets' at the time of
		// each event. A dataset no catalog event made known yet (its
		// creation still in the catalog's outbox) has its organization's
		// counts wait for it.
		if it.OfDataset != "" {
			org, known := orgOf[it.OfDataset]
			for _, metric := range it.OrganizationMetrics {
				switch {
				case !known:
					it.Count.Pending = append(it.Count.Pending, store.Pending{DatasetID: it.OfDataset, Metric: metric})
				case org != "":
					it.Count.Increments = append(it.Count.Increments, store.Increment{ObjectType: "organization", ObjectID: org, Metric: metric})
				}
			}
		}
		counts = append(counts, *it.Count)
	}
	_, err = s.store.Record(ctx, counts)
	return err
}
