package app

import (
	"strconv"
	"strings"
	"sync"
	"time"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// readTTL bounds how long a cached read may lag a change made by another
// catalog process; changes made through this one invalidate at once (the
// store's generation moves on every write).
const readTTL = 2 * time.Second

// maxCachedReads bounds the cache; past it, it is emptied.
const maxCachedReads = 2048

type readEntry struct {
	datasets []*catalogv1.Dataset
	reuses   []*catalogv1.Reuse
	total    int64
	moved    bool
	gen      uint64
	expires  time.Time
}

// readCache keeps presented dataset pages and datasets for a moment, so
// that popular pages (the home page, an organization's first page) cost no
// query and no decoding. Entries are shared between responses and must
// not be modified.
type readCache struct {
	mu sync.RWMutex
	m  map[string]readEntry
}

func newReadCache() *readCache { return &readCache{m: map[string]readEntry{}} }

func (c *readCache) get(key string, gen uint64, now time.Time) (readEntry, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || e.gen != gen || now.After(e.expires) {
		return readEntry{}, false
	}
	return e, true
}

func (c *readCache) put(key string, e readEntry, now time.Time) {
	e.expires = now.Add(readTTL)
	c.mu.Lock()
	if len(c.m) >= maxCachedReads {
		c.m = map[string]readEntry{}
	}
	c.m[key] = e
	c.mu.Unlock()
}

// listKey identifies a list request as seen by a caller (permissions and
// private datasets depend on who asks).
func listKey(req *catalogv1.ListDatasetsRequest, userID string) string {
	var b strings.Builder
	for _, s := range []string{"list", userID, req.GetQ(), req.GetOrganization(), req.GetOwner(), req.GetLicense(), req.GetFormat(),
		req.GetSort(), req.GetSchema(), strconv.Itoa(int(req.GetPage())), strconv.Itoa(int(req.GetPageSize())),
		strconv.FormatBool(req.GetIncludePrivate()), req.GetGranularity(), req.GetGeozone(), req.GetBadge(),
		req.GetSchemaVersion(), req.GetTemporalCoverage(), optBool(req.Archived), optBool(req.Deleted), optBool(req.Private),
		req.GetReuse()} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	if req.Featured != nil {
		b.WriteString(strconv.FormatBool(req.GetFeatured()))
	}
	b.WriteByte(0)
	for _, t := range req.GetTags() {
		b.WriteString(t)
		b.WriteByte(1)
	}
	b.WriteByte(0)
	for _, id := range req.GetIds() {
		b.WriteString(id)
		b.WriteByte(1)
	}
	return b.String()
}

// optBool renders an optional boolean for a cache key.
func optBool(b *bool) string {
	if b == nil {
		return "-"
	}
	return strconv.FormatBool(*b)
}
