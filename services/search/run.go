package search

import (
	"context"
	"fmt"
	"time"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/services/search/internal/indexer"
)

// catchUpPoll is how often Run asks JetStream whether the consumer has
// caught up, until it has.
const catchUpPoll = 200 * time.Millisecond

// Run indexes catalog events until ctx ends. Events are acked once the
// index has them: a crash or restart replays the unacked ones.
//
// A durable that does not exist yet (a new replica, or one whose durable
// expired) reads the stream from its start. When the stream has dropped
// events since (events.max_age, a purge), that start misses records; so
// does a replica's own durable that exists while its ledger is empty (a
// pod back on a new volume resumes where its old one stopped). Then the
// indexes are first repaired from the catalog, as `relais search verify
// --repair` does, and the stream's events apply over them (the ledger
// keeps the newest version of each record). The shared durable is left
// alone: its replicas share one ledger and index.
//
// The service is Ready once its consumer has handled every event the
// stream held when Run started: a replica does not answer searches from a
// partial index.
func (s *Service) Run(ctx context.Context) error {
	if s.bus == nil {
		s.ready.Store(true)
		<-ctx.Done()
		return nil
	}
	log := s.log.With("durable", s.cfg.Durable)
	existed, err := s.bus.HasDurable(ctx, s.cfg.Durable)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	bounds, err := s.bus.StreamBounds(ctx)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	repair, why := !existed && !bounds.Complete(), "a new durable on a stream that dropped its first events"
	if existed && s.cfg.Durable != DefaultDurable {
		empty, err := s.ledger.Empty(ctx)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		repair, why = empty, "a replica's durable that exists with an empty ledger (a new volume): it resumes past events the index never had"
	}
	if repair {
		log.Info("repairing the indexes from the catalog before consuming", "why", why, "stream_first_seq", bounds.First)
		began := time.Now()
		rep, err := s.indexer.Verify(ctx, true)
		if err != nil {
			return fmt.Errorf("search: repair the indexes from the catalog: %w", err)
		}
		log.Info("indexes repaired from the catalog", "checked", rep.Checked, "repaired", rep.Repaired, "took", time.Since(began).Round(time.Millisecond))
	}
	cc := events.ConsumerConfig{
		Durable:        s.cfg.Durable,
		FilterSubjects: []string{indexer.SubjectDatasets, indexer.SubjectOrganizations, indexer.SubjectReuses},
	}
	if s.cfg.Durable != DefaultDurable {
		cc.InactiveThreshold = ReplicaDurableInactive
	}
	cons, err := s.bus.ConsumeBatches(ctx, cc, events.BatchOptions{MaxBatch: s.cfg.MaxBatch, MaxWait: s.cfg.BatchWait},
		func(ctx context.Context, ms []events.Message) error {
			if err := s.indexer.HandleEvents(ctx, ms); err != nil {
				return err
			}
			s.grpc.TagsChanged()
			return nil
		})
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer cons.Stop()
	began := time.Now()
	if err := s.catchUp(ctx, cons, bounds.Last); err != nil {
		return nil // ctx ended
	}
	s.ready.Store(true)
	log.Info("caught up with the stream: ready", "stream_seq", bounds.Last, "took", time.Since(began).Round(time.Millisecond))
	<-ctx.Done()
	return nil
}

// catchUp returns once cons has handled the events up to seq, or ctx's
// error. A failed check is logged and tried again.
func (s *Service) catchUp(ctx context.Context, cons *events.BatchConsumer, seq uint64) error {
	t := time.NewTicker(catchUpPoll)
	defer t.Stop()
	for {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := cons.CaughtUp(qctx, seq)
		cancel()
		if err != nil && ctx.Err() == nil {
			s.log.Warn("search: catch-up check failed", "durable", s.cfg.Durable, "err", err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Ready reports whether Run has caught up with the stream (always, once
// it has: a later burst of events does not take the replica out of
// service).
func (s *Service) Ready() bool { return s.ready.Load() }
