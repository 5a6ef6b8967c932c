package searchindex

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Suffixes of the directories beside an embedded index: the one being
// rebuilt, and the live one while a swap replaces it.
const (
	nextSuffix = ".next"
	oldSuffix  = ".old"
)

// liveIndex is the bleve index an embedded backend answers from. It is
// replaced by Swap in one step: every use goes through mu, so a search
// runs on the old index or on the new one, never on a closed one. Only the
// methods the embedded backend calls are guarded; the others reach the
// current index unguarded.
type liveIndex struct {
	mu sync.RWMutex
	bleveIndex
	dir        string
	closed     bool // by Close: the only close that is not healed
	rebuilding atomic.Bool
}

func (l *liveIndex) SearchInContext(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	search := func() (*bleve.SearchResult, error) {
		l.mu.RLock()
		defer l.mu.RUnlock()
		return l.bleveIndex.SearchInContext(ctx, req)
	}
	res, err := search()
	if healed, herr := l.heal(err); healed {
		return search()
	} else if herr != nil {
		err = errors.Join(err, herr)
	}
	return res, err
}

func (l *liveIndex) Search(req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	return l.SearchInContext(context.Background(), req)
}

func (l *liveIndex) NewBatch() *bleve.Batch {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.bleveIndex.NewBatch()
}

// Batch applies b. bleve has been seen (twice, under load) to panic inside
// Batch on a segment it had already closed while its root still held it,
// after which every batch panicked the same way, or the index was left
// closed: the index is then reopened from disk and b applied again, once.
// A batch that fails twice returns its error (the panic's stack in it);
// the consumer's events come back, and the next batch heals again.
func (l *liveIndex) Batch(b *bleve.Batch) error {
	apply := func() error {
		l.mu.RLock()
		defer l.mu.RUnlock()
		return l.batch(b)
	}
	err := apply()
	if healed, herr := l.heal(err); healed {
		return apply()
	} else if herr != nil {
		err = errors.Join(err, herr)
	}
	return err
}

// errBlevePanicked marks a panic of bleve turned into an error.
var errBlevePanicked = errors.New("search index panicked")

func (l *liveIndex) batch(b *bleve.Batch) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w in batch: %v\n%s", errBlevePanicked, p, debug.Stack())
		}
	}()
	return l.bleveIndex.Batch(b)
}

// heal reopens the index from its directory after err, when err says
// that bleve broke (it panicked, or its index is closed though Close was
// not called); it reports whether the index was reopened, or why not.
func (l *liveIndex) heal(err error) (bool, error) {
	if !errors.Is(err, errBlevePanicked) && !errors.Is(err, bleve.ErrorIndexClosed) {
		return false, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false, nil
	}
	func() {
		defer func() { _ = recover() }() // closing the broken index may panic too
		_ = l.bleveIndex.Close()
	}()
	idx, err := bleve.Open(l.dir)
	if err != nil {
		// The index stays closed: the next use tries again.
		return false, fmt.Errorf("reopen search index in %s: %w", l.dir, err)
	}
	l.bleveIndex = idx
	return true, nil
}

func (l *liveIndex) DocCount() (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.bleveIndex.DocCount()
}

func (l *liveIndex) Mapping() mapping.IndexMapping {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.bleveIndex.Mapping()
}

func (l *liveIndex) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return l.bleveIndex.Close()
}

// bleveIndex names bleve.Index for embedding: bleve.Index has an Index
// method, which a field named Index would hide.
type bleveIndex = bleve.Index

// recoverSwap finishes or undoes a swap that a crash interrupted: the live
// directory is renamed away before the rebuilt one takes its name. A
// rebuilt directory only reaches the swap complete, so when the live one is
// missing it wins; else the old live one comes back. A rebuild interrupted
// before its swap is dropped.
func recoverSwap(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return errors.Join(os.RemoveAll(dir+nextSuffix), os.RemoveAll(dir+oldSuffix))
	}
	for _, from := range []string{dir + nextSuffix, dir + oldSuffix} {
		if _, err := os.Stat(from); err == nil {
			if err := os.Rename(from, dir); err != nil {
				return fmt.Errorf("recover interrupted swap: %w", err)
			}
			return os.RemoveAll(dir + oldSuffix)
		}
	}
	return nil
}

// embeddedRebuild is a new index in <dir>.next, filled while the live one
// answers.
type embeddedRebuild struct {
	live   *liveIndex
	target *embedded
	once   sync.Once
}

// Rebuild starts a new, empty index beside the live one (in <dir>.next);
// searches keep answering from the live one until Swap. One rebuild runs
// at a time.
func (e *embedded) Rebuild(ctx context.Context) (Rebuild, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	live, ok := e.index.(*liveIndex)
	if !ok {
		return nil, errors.New("rebuild: index not opened with OpenEmbedded")
	}
	if !live.rebuilding.CompareAndSwap(false, true) {
		return nil, ErrRebuilding
	}
	next := live.dir + nextSuffix
	m, err := indexMapping(e.schema)
	if err == nil {
		err = os.RemoveAll(next)
	}
	var idx bleve.Index
	if err == nil {
		idx, err = bleve.New(next, m)
	}
	if err != nil {
		live.rebuilding.Store(false)
		return nil, fmt.Errorf("rebuild: new index in %s: %w", next, err)
	}
	return &embeddedRebuild{live: live, target: &embedded{schema: e.schema, index: idx}}, nil
}

func (r *embeddedRebuild) Upsert(ctx context.Context, docs ...Document) error {
	return r.target.Upsert(ctx, docs...)
}

func (r *embeddedRebuild) Delete(ctx context.Context, ids ...string) error {
	return r.target.Delete(ctx, ids...)
}

// Swap closes the rebuilt index, renames it to the live directory and
// opens it there, while searches and writes wait (a few milliseconds).
func (r *embeddedRebuild) Swap(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := errors.New("rebuild: already swapped or aborted")
	r.once.Do(func() {
		defer r.live.rebuilding.Store(false)
		err = r.swap()
	})
	return err
}

func (r *embeddedRebuild) swap() error {
	l := r.live
	if err := r.target.index.Close(); err != nil {
		return fmt.Errorf("swap: close rebuilt index: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.bleveIndex.Close(); err != nil {
		return fmt.Errorf("swap: close live index: %w", err)
	}
	renameErr := os.Rename(l.dir, l.dir+oldSuffix)
	if renameErr == nil {
		renameErr = os.Rename(l.dir+nextSuffix, l.dir)
	}
	if renameErr != nil {
		// Put the live index back as it was.
		_ = recoverSwapFromOld(l.dir)
	}
	idx, err := bleve.Open(l.dir)
	if err != nil {
		return fmt.Errorf("swap: reopen %s: %w", l.dir, err)
	}
	l.bleveIndex = idx
	if renameErr != nil {
		return fmt.Errorf("swap: %w", renameErr)
	}
	if err := os.RemoveAll(l.dir + oldSuffix); err != nil {
		return fmt.Errorf("swap: drop old index: %w", err)
	}
	return nil
}

// recoverSwapFromOld undoes a half-done rename of the live directory.
func recoverSwapFromOld(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	return os.Rename(dir+oldSuffix, dir)
}

func (r *embeddedRebuild) Abort(context.Context) error {
	err := errors.New("rebuild: already swapped or aborted")
	r.once.Do(func() {
		defer r.live.rebuilding.Store(false)
		err = errors.Join(r.target.index.Close(), os.RemoveAll(r.live.dir+nextSuffix))
	})
	return err
}

var _ bleve.Index = (*liveIndex)(nil)
