package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/services/preview/internal/records"
)

// DefaultAttempts is Options.Attempts' default.
const DefaultAttempts = 5

// RetryError says an analysis failed for a transient reason and should be
// tried again later (the event consumer naks it with a growing delay).
// The failure is recorded with its attempt; the last attempt records it
// for good and returns no error.
type RetryError struct {
	Attempt int
	Err     error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("attempt %d failed, to be retried: %v", e.Attempt, e.Err)
}

func (e *RetryError) Unwrap() error { return e.Err }

// fetchTransient tells a remote resource's fetch failure that may go away
// (a timeout, a 5xx, 408 or 429, a refused or reset connection, a name
// server failing) from one that will not (the SSRF guard, a file too
// large, any other 4xx, an unknown host, an invalid URL).
func fetchTransient(err error) bool {
	var se *safehttp.StatusError
	switch {
	case errors.Is(err, safehttp.ErrForbidden), errors.Is(err, safehttp.ErrTooLarge):
		return false
	case errors.Is(err, safehttp.ErrTimeout):
		return true
	case errors.As(err, &se):
		return se.Status >= 500 || se.Status == 408 || se.Status == 429
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return !dns.IsNotFound
	}
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// retrying says whether rec is a transient failure still to be retried:
// the next event naming the resource, or the redelivery of the one that
// failed, analyzes it again.
func (p *Pipeline) retrying(rec *records.Record) bool {
	return rec.State == records.StateRetrying && rec.Attempts < p.opts.Attempts
}

// transientFailed records the transient failure f of job (prev is the
// resource's last record, nil if none) and says whether to retry. A good
// analysis of the same bytes is kept as it is (a forced re-analysis that
// failed). The reason goes on the resource with the last attempt only:
// writing it earlier would publish a resource change, itself an event
// that would retry at once instead of after the delay.
func (p *Pipeline) transientFailed(ctx context.Context, job Job, prev *records.Record, f *failure, started time.Time) (*records.Record, error) {
	if prev != nil && prev.Signature == job.Signature && prev.State == records.StateDone {
		return prev, &RetryError{Attempt: 1, Err: f}
	}
	attempt := 1
	if prev != nil && prev.Signature == job.Signature && prev.State == records.StateRetrying && !job.Force {
		attempt = prev.Attempts + 1
	}
	rec := &records.Record{ResourceID: job.ResourceID, DatasetID: job.DatasetID, Source: job.source(), Signature: job.Signature}
	if rec.DatasetID == "" && prev != nil {
		rec.DatasetID = prev.DatasetID
	}
	rec, err := p.failed(rec, f.reason, f.check, started)
	if err != nil {
		return nil, err
	}
	rec.Attempts = attempt
	switch {
	case attempt < p.opts.Attempts:
		// The last analysis's table stays queryable while retrying, as
		// its extras stay on the resource.
		rec.State, rec.Tabular = records.StateRetrying, prev != nil && prev.Tabular
	case prev != nil && prev.Tabular:
		if err := p.opts.Tabular.Drop(ctx, job.ResourceID); err != nil {
			return nil, fmt.Errorf("drop stale table of %s: %w", job.ResourceID, err)
		}
	}
	if err := p.opts.Records.Put(ctx, rec); err != nil {
		return nil, err
	}
	if attempt < p.opts.Attempts {
		p.opts.Log.WarnContext(ctx, "analysis failed, to be retried", "resource_id", job.ResourceID,
			"attempt", attempt, "attempts", p.opts.Attempts, "reason", f.reason)
		return rec, &RetryError{Attempt: attempt, Err: f}
	}
	p.opts.Log.WarnContext(ctx, "analysis failed, attempts exhausted", "resource_id", job.ResourceID,
		"attempts", attempt, "reason", f.reason)
	var old []byte
	if prev != nil {
		old = prev.Extras
	}
	return rec, p.writeExtras(ctx, rec, old)
}
