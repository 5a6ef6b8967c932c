package harvester

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/harvest/internal/remote"
	"github.com/relais-data/relais/services/harvest/internal/store"
)

// Harvester plans and applies runs.
type Harvester struct {
	Store   *store.Store
	Catalog catalogv1.CatalogServiceClient
	// APIKey is a sysadmin's token: harvested datasets are written in the
	// name of the harvest service user.
	APIKey string
	// Open turns a stored source into a reader of its datasets.
	Open func(store.Source) (remote.Source, error)
	// Log receives a line per planned and per applied run (slog's
	// default when nil).
	Log *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (h *Harvester) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

func (h *Harvester) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

// Start records a new run of a source, to be executed by Execute. A
// source runs one at a time: two plans made from the same mapping would
// create the same datasets twice. A plan still waiting for approval is
// superseded by the new one.
func (h *Harvester) Start(ctx context.Context, sourceID string) (store.Run, error) {
	if _, err := h.Store.GetSource(ctx, sourceID); err != nil {
		return store.Run{}, err
	}
	open, err := h.Store.ListRuns(ctx, sourceID, store.RunPlanning, store.RunApplying, store.RunPlanned)
	if err != nil {
		return store.Run{}, err
	}
	r := store.Run{ID: newID(), SourceID: sourceID, Status: store.RunPlanning, StartedAt: h.now()}
	for _, o := range open {
		if o.Status != store.RunPlanned {
			return store.Run{}, fmt.Errorf("run %s of source %s is %s: %w", o.ID, sourceID, o.Status, ErrState)
		}
		o.Status, o.Error = store.RunFailed, "superseded by run "+r.ID
		if err := h.Store.SetRun(ctx, o); err != nil {
			return store.Run{}, err
		}
	}
	return r, h.Store.CreateRun(ctx, r)
}

// Execute takes a run as far as it can go: it plans a run still planning
// (again from the start after a crash), and applies the approved items of
// one that is applying, or of a planned one whose source applies
// automatically. A planned run of a supervised source waits for Approve.
func (h *Harvester) Execute(ctx context.Context, runID string) error {
	r, err := h.Store.GetRun(ctx, runID)
	if err != nil {
		return err
	}
	src, err := h.Store.GetSource(ctx, r.SourceID)
	if err != nil {
		return err
	}
	if r.Status == store.RunPlanning {
		if r, err = h.plan(ctx, src, r); err != nil {
			return err
		}
		if r.Status == store.RunPlanned && src.AutoApply {
			if _, err := h.Store.Decide(ctx, r.ID, true, nil); err != nil {
				return err
			}
			r.Status = store.RunApplying
			if err := h.Store.SetRun(ctx, r); err != nil {
				return err
			}
		}
	}
	if r.Status == store.RunApplying {
		return h.apply(ctx, src, r)
	}
	return nil
}

// Approve approves planned items of a run (seqs; all when empty) and
// marks the run for applying; Execute then applies them. Items left
// planned are rejected: an approval closes the review.
func (h *Harvester) Approve(ctx context.Context, runID string, seqs []int64) (int64, error) {
	r, err := h.Store.GetRun(ctx, runID)
	if err != nil {
		return 0, err
	}
	if r.Status != store.RunPlanned {
		return 0, fmt.Errorf("run %s is %s, not planned: %w", runID, r.Status, ErrState)
	}
	n, err := h.Store.Decide(ctx, runID, true, seqs)
	if err != nil {
		return 0, err
	}
	if _, err := h.Store.Decide(ctx, runID, false, nil); err != nil {
		return 0, err
	}
	r.Status = store.RunApplying
	return n, h.Store.SetRun(ctx, r)
}

// ErrState is an operation the run's status does not allow.
var ErrState = errors.New("wrong run status")

// newID is a run's id: 24 hex digits.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (h *Harvester) withKey(ctx context.Context) context.Context {
	return grpcx.WithAPIKey(ctx, h.APIKey)
}
