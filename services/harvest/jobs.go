package harvest

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	harvestv1 "github.com/relais-data/relais/proto/relais/harvest/v1"
	"github.com/relais-data/relais/services/harvest/internal/store"
)

// Jobs of runs on the bus.
const (
	runSubject = "relais.harvest.run.requested"
	runType    = "relais.harvest.v1.RunRequested"
	// runsDurable is the work-queue consumer every harvest process shares:
	// each job goes to one of them.
	runsDurable = "harvest-runs"
	// runAckWait is how long a job may run before JetStream hands it to
	// another process: longer than any run; a crashed process's runs are
	// resumed sooner by the next start (Run).
	runAckWait = time.Hour
)

// queue has a run executed: a job on the bus, else on this process's
// queue.
func (s *Service) queue(ctx context.Context, runID string) error {
	if s.bus == nil {
		select {
		case s.local <- runID:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	data, err := proto.Marshal(&harvestv1.RunRequested{RunId: runID})
	if err != nil {
		return err
	}
	return s.bus.Publish(ctx, events.Message{ID: events.NewID(), Subject: runSubject, Type: runType, Data: data})
}

// execute runs a job. An error (the catalog unreachable, say) leaves the
// run as it was, resumable: the job is delivered again later, a few times.
func (s *Service) execute(ctx context.Context, runID string) error {
	start := time.Now()
	err := s.h.Execute(ctx, runID)
	if err != nil && ctx.Err() == nil {
		s.log.Error("harvest run stopped", "run", runID, "err", err)
		return err
	}
	s.log.Info("harvest run step done", "run", runID, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Run consumes run jobs, resumes the runs a previous process left
// unfinished, and starts scheduled runs, until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	if s.bus != nil {
		cons, err := s.bus.Consume(ctx, events.ConsumerConfig{
			Durable: runsDurable, FilterSubjects: []string{runSubject}, AckWait: runAckWait, MaxDeliver: 5, MaxBuffered: 1,
		}, func(ctx context.Context, m events.Message) error {
			var job harvestv1.RunRequested
			if err := proto.Unmarshal(m.Data, &job); err != nil {
				s.log.Error("malformed harvest job dropped", "id", m.ID, "err", err)
				return nil
			}
			return s.execute(ctx, job.GetRunId())
		})
		if err != nil {
			return fmt.Errorf("harvest: %w", err)
		}
		defer cons.Stop()
	}
	if err := s.resume(ctx); err != nil {
		return err
	}
	tick := time.NewTicker(s.cfg.ScheduleEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case id := <-s.local:
			_ = s.execute(ctx, id) // logged; the run stays resumable
		case <-tick.C:
			if err := s.schedule(ctx, time.Now()); err != nil && ctx.Err() == nil {
				s.log.Error("harvest schedule", "err", err)
			}
		}
	}
}

// resume queues again the runs left planning or applying.
func (s *Service) resume(ctx context.Context) error {
	runs, err := s.h.Store.ListRuns(ctx, "", store.RunPlanning, store.RunApplying)
	if err != nil {
		return fmt.Errorf("harvest: unfinished runs: %w", err)
	}
	for _, r := range runs {
		s.log.Info("resuming harvest run", "run", r.ID, "source", r.SourceID, "status", r.Status)
		if err := s.queue(ctx, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// schedule starts a run of each scheduled source whose last run started
// at least its interval ago and is over.
func (s *Service) schedule(ctx context.Context, now time.Time) error {
	srcs, err := s.h.Store.ListSources(ctx)
	if err != nil {
		return err
	}
	for _, src := range srcs {
		if src.Every <= 0 {
			continue
		}
		runs, err := s.h.Store.ListRuns(ctx, src.ID)
		if err != nil {
			return err
		}
		if len(runs) > 0 && (now.Sub(runs[0].StartedAt) < src.Every || !finished(runs[0])) {
			continue
		}
		r, err := s.h.Start(ctx, src.ID)
		if err != nil {
			return err
		}
		if err := s.queue(ctx, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// finished reports a run that no longer holds its source: done, failed,
// or planned and waiting for an approval that a newer plan replaces.
func finished(r store.Run) bool {
	return r.Status == store.RunDone || r.Status == store.RunFailed || r.Status == store.RunPlanned
}
