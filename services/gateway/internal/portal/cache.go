package portal

import (
	"sync"
	"time"
)

// ttlCache keeps one value for a while: the home page's lists, which
// change with publications, not with each visit, are read once per
// period rather than per visitor (three catalog queries, one of them
// counting every organization's datasets).
type ttlCache[T any] struct {
	ttl time.Duration

	mu      sync.Mutex
	value   T
	expires time.Time
}

// get returns the cached value, or loads it when it has expired. Visitors
// arriving while it loads wait for that one load; a failed load is not
// kept.
func (c *ttlCache[T]) get(load func() (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Now().Before(c.expires) {
		return c.value, nil
	}
	v, err := load()
	if err != nil {
		var zero T
		return zero, err
	}
	c.value, c.expires = v, time.Now().Add(c.ttl)
	return v, nil
}
