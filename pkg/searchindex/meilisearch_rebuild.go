package searchindex

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// errRebuildDone is the error of a Rebuild used after its Swap or Abort.
var errRebuildDone = errors.New("rebuild already swapped or aborted")

// meiliRebuild is a new index <index>_rebuild_<n> filled beside the live
// one; Swap exchanges the two with Meilisearch's swap-indexes, one atomic
// task, then deletes the old one.
type meiliRebuild struct {
	m    *meili
	uid  string
	mu   sync.Mutex
	done bool
}

// Rebuild creates <index>_rebuild_<unix ms> with the schema's settings.
// One rebuild runs at a time (ErrRebuilding in this process); the rebuild
// indexes of an earlier one that never swapped nor aborted (a crash) are
// dropped first.
func (m *meili) Rebuild(ctx context.Context) (Rebuild, error) {
	if !m.rebuilding.CompareAndSwap(false, true) {
		return nil, ErrRebuilding
	}
	if err := m.dropStaleRebuilds(ctx); err != nil {
		m.rebuilding.Store(false)
		return nil, fmt.Errorf("start rebuild of %s: %w", m.cfg.Index, err)
	}
	uid := fmt.Sprintf("%s_rebuild_%d", m.cfg.Index, time.Now().UnixMilli())
	if err := m.prepare(ctx, uid); err != nil {
		m.rebuilding.Store(false)
		// The index may exist without its settings: drop it.
		_ = m.dropIndex(context.WithoutCancel(ctx), uid)
		return nil, fmt.Errorf("start rebuild of %s: %w", m.cfg.Index, err)
	}
	return &meiliRebuild{m: m, uid: uid}, nil
}

func (r *meiliRebuild) Upsert(ctx context.Context, docs ...Document) error {
	if err := r.check(); err != nil {
		return err
	}
	return r.m.upsert(ctx, r.uid, docs)
}

func (r *meiliRebuild) Delete(ctx context.Context, ids ...string) error {
	if err := r.check(); err != nil {
		return err
	}
	return r.m.delete(ctx, r.uid, ids)
}

func (r *meiliRebuild) check() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return errRebuildDone
	}
	return nil
}

// Swap exchanges the live index and the rebuilt one, then deletes the
// rebuild's uid, which now holds the old documents. Searches answer from
// the old documents until the swap task, and from the new ones after.
func (r *meiliRebuild) Swap(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return errRebuildDone
	}
	live := r.m.cfg.Index
	if err := r.m.runTask(ctx, "swap indexes", func(ctx context.Context) (*meilisearch.TaskInfo, error) {
		return r.m.client.SwapIndexes(ctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{live, r.uid}}})
	}); err != nil {
		return fmt.Errorf("swap rebuild %s into %s: %w", r.uid, live, err)
	}
	r.finish()
	if err := r.m.dropIndex(ctx, r.uid); err != nil {
		return fmt.Errorf("swapped %s into %s, then: %w", r.uid, live, err)
	}
	return nil
}

// Abort deletes the rebuild's index; the live one stays as it was.
func (r *meiliRebuild) Abort(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return errRebuildDone
	}
	r.finish()
	if err := r.m.dropIndex(ctx, r.uid); err != nil {
		return fmt.Errorf("abort rebuild %s: %w", r.uid, err)
	}
	return nil
}

// finish ends the rebuild, letting another start; r.mu is held.
func (r *meiliRebuild) finish() {
	r.done = true
	r.m.rebuilding.Store(false)
}

// dropStaleRebuilds deletes the indexes named <index>_rebuild_*.
func (m *meili) dropStaleRebuilds(ctx context.Context) error {
	prefix := m.cfg.Index + "_rebuild_"
	var stale []string
	for offset := int64(0); ; {
		page, err := m.client.ListIndexes(ctx, &meilisearch.IndexesQuery{Limit: 1000, Offset: offset})
		if err != nil {
			return meiliErr("list indexes", err)
		}
		for _, ix := range page.Results {
			if strings.HasPrefix(ix.UID, prefix) {
				stale = append(stale, ix.UID)
			}
		}
		offset += int64(len(page.Results))
		if len(page.Results) == 0 || offset >= page.Total {
			break
		}
	}
	for _, uid := range stale {
		if err := m.dropIndex(ctx, uid); err != nil {
			return fmt.Errorf("drop stale rebuild: %w", err)
		}
	}
	return nil
}

// dropIndex deletes the index uid and waits for it to be gone.
func (m *meili) dropIndex(ctx context.Context, uid string) error {
	return m.runTask(ctx, "delete index "+uid, func(ctx context.Context) (*meilisearch.TaskInfo, error) {
		return m.client.DeleteIndex(ctx, uid)
	})
}
