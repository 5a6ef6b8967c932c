package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/relais-data/relais/pkg/safehttp"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/preview/internal/analysis"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// Options are what a Pipeline runs on.
type Options struct {
	Records *records.Store
	Tabular *tabular.Store
	// Catalog receives the extras; CatalogAPIKey authenticates the calls
	// (a sysadmin's token: the service edits every dataset).
	Catalog       catalogv1.CatalogServiceClient
	CatalogAPIKey string
	// Storage serves the bytes of uploaded files; StorageToken is its
	// service token.
	Storage      storagev1.StorageServiceClient
	StorageToken string
	Fetcher      *safehttp.Fetcher
	Limits       analysis.Limits
	// Concurrency bounds the analyses running at once (default 2).
	Concurrency int
	// Attempts bounds the analyses of the same bytes that fail for a
	// transient reason (default DefaultAttempts): the last one's failure
	// stays on the resource until its bytes change or it is re-analyzed.
	Attempts int
	// TempDir holds the files being analyzed (the system's by default).
	TempDir string
	Log     *slog.Logger
}

// Pipeline analyzes resources.
type Pipeline struct {
	opts  Options
	sem   chan struct{}
	locks keyedMutex
	now   func() time.Time
}

// New returns a pipeline on opts.
func New(opts Options) (*Pipeline, error) {
	if opts.Records == nil || opts.Tabular == nil || opts.Fetcher == nil {
		return nil, errors.New("pipeline: records, tabular store and fetcher are required")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 2
	}
	if opts.Attempts <= 0 {
		opts.Attempts = DefaultAttempts
	}
	if opts.Limits == (analysis.Limits{}) {
		opts.Limits = analysis.DefaultLimits()
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{opts: opts, sem: make(chan struct{}, opts.Concurrency), now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}, nil
}

// Process analyzes job, unless the last analysis of the resource was of
// the same bytes (and job.Force is false, and it is no transient failure
// still to retry): then it only makes sure the catalog has the extras. It
// returns the resource's record. An error means the work could not be
// done now and should be retried: a *RetryError for a transient failure
// (a remote server or the storage service failing; recorded with its
// attempt), else the database failing or ctx ended. A file that cannot be
// read is not an error but a record in state failed, whose reason is
// written on the resource.
func (p *Pipeline) Process(ctx context.Context, job Job) (*records.Record, error) {
	unlock := p.locks.lock(job.ResourceID)
	defer unlock()
	rec, err := p.opts.Records.Get(ctx, job.ResourceID)
	if err != nil && !errors.Is(err, records.ErrNotFound) {
		return nil, err
	}
	if rec != nil && rec.Signature == job.Signature && !job.Force && !p.retrying(rec) {
		if job.DatasetID != "" && rec.DatasetID != job.DatasetID {
			rec.DatasetID = job.DatasetID
			rec.ExtrasWritten = false
			if err := p.opts.Records.Put(ctx, rec); err != nil {
				return nil, err
			}
		}
		return rec, p.writeExtras(ctx, rec, nil)
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	started := p.now()
	next, err := p.analyze(ctx, job)
	<-p.sem
	var fail *failure
	if errors.As(err, &fail) {
		return p.transientFailed(ctx, job, rec, fail, started)
	}
	if err != nil {
		return nil, err
	}
	if next.DatasetID == "" && rec != nil {
		next.DatasetID = rec.DatasetID
	}
	if !next.Tabular && rec != nil && rec.Tabular {
		if err := p.opts.Tabular.Drop(ctx, job.ResourceID); err != nil {
			return nil, fmt.Errorf("drop stale table of %s: %w", job.ResourceID, err)
		}
	}
	if err := p.opts.Records.Put(ctx, next); err != nil {
		return nil, err
	}
	var old []byte
	if rec != nil {
		old = rec.Extras
	}
	return next, p.writeExtras(ctx, next, old)
}

// Forget drops the table and the record of a deleted resource.
func (p *Pipeline) Forget(ctx context.Context, rid string) error {
	unlock := p.locks.lock(rid)
	defer unlock()
	if err := p.opts.Tabular.Drop(ctx, rid); err != nil {
		return fmt.Errorf("drop table of %s: %w", rid, err)
	}
	return p.opts.Records.Delete(ctx, rid)
}

// keyedMutex serializes the work on one resource.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	sync.Mutex
	users int
}

func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
