package store

import (
	"sync"
	"sync/atomic"
	"time"
)

// countTTL bounds how stale a cached total may be when another process
// (another catalog replica) writes; writes through this store invalidate at
// once.
const countTTL = 2 * time.Second

// maxCachedCounts bounds the cache; past it, it is emptied.
const maxCachedCounts = 4096

type countEntry struct {
	n       int64
	gen     uint64
	expires time.Time
}

// countCache remembers list totals per filter, so that a page costs one
// query instead of two.
type countCache struct {
	mu  sync.RWMutex
	m   map[string]countEntry
	gen *atomic.Uint64
}

func newCountCache(gen *atomic.Uint64) *countCache {
	return &countCache{m: make(map[string]countEntry), gen: gen}
}

func (c *countCache) get(key string) (int64, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || e.gen != c.gen.Load() || time.Now().After(e.expires) {
		return 0, false
	}
	return e.n, true
}

// put stores n, counted at generation gen (read before counting, so that a
// write racing with the count invalidates it).
func (c *countCache) put(key string, n int64, gen uint64) {
	c.mu.Lock()
	if len(c.m) >= maxCachedCounts {
		c.m = make(map[string]countEntry)
	}
	c.m[key] = countEntry{n: n, gen: gen, expires: time.Now().Add(countTTL)}
	c.mu.Unlock()
}
