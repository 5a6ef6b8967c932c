package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/store"
)

// collectBatch bounds the rows and objects handled per round.
const collectBatch = 1000

// Collected counts what one Collect removed.
type Collected struct {
	Uploads      int // stale chunked uploads (rows)
	Parts        int // part objects
	Reservations int // keys reserved by uploads that never committed
}

// Collect removes what unfinished uploads left behind for longer than the
// part retention: chunked uploads whose last part is older (rows and
// parts), part objects that no live upload owns (a crash, a part retried
// after its upload completed), and key reservations never committed (a
// crash mid-upload) with any bytes written under them.
func (s *Service) Collect(ctx context.Context) (Collected, error) {
	cutoff := s.now().Add(-s.retention)
	var c Collected

	refs, err := s.store.StaleUploads(ctx, cutoff, collectBatch)
	if err != nil {
		return c, err
	}
	for _, ref := range refs {
		stale, err := s.store.DeleteUploadIfStale(ctx, ref, cutoff)
		if err != nil {
			return c, err
		}
		if stale {
			c.Uploads++
			n, err := s.deletePrefix(ctx, domain.PartPrefix(ref.DatasetID, ref.UUID))
			c.Parts += n
			if err != nil {
				return c, err
			}
		}
	}

	n, err := s.collectOrphanParts(ctx, cutoff)
	c.Parts += n
	if err != nil {
		return c, err
	}

	keys, err := s.store.StalePending(ctx, cutoff, collectBatch)
	if err != nil {
		return c, err
	}
	for _, key := range keys {
		if err := s.blob.Delete(ctx, key); err != nil {
			return c, fmt.Errorf("collect reservation %s: %w", key, err)
		}
		if err := s.store.Release(ctx, key); err != nil {
			return c, err
		}
		c.Reservations++
	}
	return c, nil
}

// collectOrphanParts deletes part objects older than cutoff whose upload
// is gone or stale.
func (s *Service) collectOrphanParts(ctx context.Context, cutoff time.Time) (int, error) {
	var old []blob.Info
	err := s.blob.List(ctx, domain.ChunksPrefix, func(i blob.Info) error {
		if i.ModTime.Before(cutoff) {
			old = append(old, i)
		}
		if len(old) >= collectBatch {
			return errBatchFull
		}
		return nil
	})
	if err != nil && !errors.Is(err, errBatchFull) {
		return 0, fmt.Errorf("list parts: %w", err)
	}
	live := map[store.UploadRef]bool{}
	n := 0
	for _, i := range old {
		ref, ok := partRef(i.Key)
		if !ok {
			continue
		}
		alive, seen := live[ref]
		if !seen {
			stale, err := s.store.DeleteUploadIfStale(ctx, ref, cutoff)
			if err != nil {
				return n, err
			}
			alive = !stale
			live[ref] = alive
		}
		if alive {
			continue
		}
		if err := s.blob.Delete(ctx, i.Key); err != nil {
			return n, fmt.Errorf("delete orphan part %s: %w", i.Key, err)
		}
		n++
	}
	return n, nil
}

var errBatchFull = errors.New("batch full")

// partRef parses chunks/{dataset}/{uuid}/{index}.
func partRef(key string) (store.UploadRef, bool) {
	parts := strings.Split(strings.TrimPrefix(key, domain.ChunksPrefix), "/")
	if len(parts) != 3 {
		return store.UploadRef{}, false
	}
	return store.UploadRef{DatasetID: parts[0], UUID: parts[1]}, true
}

// RunCollector calls Collect every interval until ctx ends. Failures are
// logged and retried at the next tick.
func (s *Service) RunCollector(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		c, err := s.Collect(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.WarnContext(ctx, "collect stale uploads failed", "err", err)
		case c != Collected{}:
			s.log.InfoContext(ctx, "stale uploads collected", "uploads", c.Uploads, "parts", c.Parts, "reservations", c.Reservations)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
