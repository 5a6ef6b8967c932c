package grpcapi

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/services/search/internal/docs"
)

// tagRefresh bounds how often the tag dictionary is read again from the
// index after changes.
const tagRefresh = 5 * time.Second

// tagDictionary is every tag of the dataset index with its count, read
// from the index's tag facet, for suggestions by prefix (the index matches
// whole words only).
type tagDictionary struct {
	idx searchindex.Index

	mu     sync.Mutex
	tags   []tagCount // by folded name
	loaded time.Time
	stale  bool
}

type tagCount struct {
	name, folded string
	count        int
}

func newTagDictionary(idx searchindex.Index) *tagDictionary {
	return &tagDictionary{idx: idx, stale: true}
}

func (d *tagDictionary) invalidate() {
	d.mu.Lock()
	d.stale = true
	d.mu.Unlock()
}

// maxTags bounds the tags read from the index.
const maxTags = 1 << 20

func (d *tagDictionary) load(ctx context.Context) ([]tagCount, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tags != nil && (!d.stale || time.Since(d.loaded) < tagRefresh) {
		return d.tags, nil
	}
	res, err := d.idx.Search(ctx, searchindex.Query{PageSize: 1, Facets: []string{docs.FieldTag}, FacetSize: maxTags})
	if err != nil {
		return nil, err
	}
	tags := make([]tagCount, 0, len(res.Facets[docs.FieldTag]))
	for _, v := range res.Facets[docs.FieldTag] {
		tags = append(tags, tagCount{name: v.Name, folded: fold(v.Name), count: v.Count})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].folded < tags[j].folded })
	d.tags, d.loaded, d.stale = tags, time.Now(), false
	return tags, nil
}

// suggest returns up to size tags starting with q (accents and case
// aside), the most used first, then tags holding q elsewhere.
func (d *tagDictionary) suggest(ctx context.Context, q string, size int) ([]string, error) {
	q = fold(strings.TrimSpace(q))
	out := []string{}
	if q == "" {
		return out, nil
	}
	tags, err := d.load(ctx)
	if err != nil {
		return nil, err
	}
	i := sort.Search(len(tags), func(i int) bool { return tags[i].folded >= q })
	var prefixed, inside []tagCount
	for ; i < len(tags) && strings.HasPrefix(tags[i].folded, q); i++ {
		prefixed = append(prefixed, tags[i])
	}
	if len(prefixed) < size {
		for _, t := range tags {
			if !strings.HasPrefix(t.folded, q) && strings.Contains(t.folded, q) {
				inside = append(inside, t)
			}
		}
	}
	for _, group := range [][]tagCount{prefixed, inside} {
		sort.SliceStable(group, func(i, j int) bool { return group[i].count > group[j].count })
		for _, t := range group {
			if len(out) == size {
				return out, nil
			}
			out = append(out, t.name)
		}
	}
	return out, nil
}
