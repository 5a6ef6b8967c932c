// Package searchindex is the full-text index behind the search service: one
// Index interface, several backends (embedded bleve; Meilisearch), and one
// conformance suite in searchindextest that every backend runs.
package searchindex

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Document is one record to index. Fields holds, by name, text for the
// Schema's searchable fields (string or []string), keywords for filters and
// facets (string, []string, bool, numbers) and values to sort by (time.Time,
// RFC 3339 or YYYY-MM-DD strings, numbers). Fields absent from the Schema are
// ignored.
type Document struct {
	ID     string
	Fields map[string]any
}

// Field is a searchable field and its weight in ranking.
type Field struct {
	Name  string
	Boost float64 // <= 0 means 1
	// NoTypos matches the field's words exactly only: long free text
	// (descriptions) would otherwise match misspellings of unrelated words
	// and make typo tolerance slow (udata's fuzzy match covers titles and
	// organizations only).
	NoTypos bool
}

// Schema says how each field is used. Searchable lists the full-text fields in
// ranking order (title, acronym, tags, organization_name, description); a
// field name may appear in several lists.
type Schema struct {
	Searchable []Field
	Filterable []string
	Sortable   []string
	Facets     []string
	// Boosts raise the relevance of documents holding a value in a
	// filterable field; they apply to text searches only.
	Boosts []Boost
}

// Boost multiplies the relevance of the documents whose filterable Field
// holds Value by Factor (udata ranks featured datasets and public-service
// producers higher). A backend that cannot multiply may add an equivalent
// bonus instead.
type Boost struct {
	Field, Value string
	Factor       float64 // > 1
}

// Query is one search request.
type Query struct {
	// Text is what the person typed; it is data, never query syntax. Empty
	// text lists every document matching Filters.
	Text string
	// Filters are AND across keys, OR within a key.
	Filters map[string][]string
	// Sort is a sortable field, "-" prefixed for descending order; empty
	// means by relevance.
	Sort string
	// Page starts at 1; PageSize defaults to DefaultPageSize.
	Page, PageSize int
	// Ranges narrow to documents whose sortable field lies in the range
	// (AND with the text and Filters).
	Ranges map[string]Range
	// Facets to count over all matching documents, FacetSize values each
	// (DefaultFacetSize when zero).
	Facets    []string
	FacetSize int
	// RangeFacets count matching documents in named ranges of a sortable
	// field (udata's last_update_range), keyed by facet name. Their counts
	// come in Result.Facets under that name, in the order of the buckets.
	RangeFacets map[string]RangeFacet
}

// Range bounds a sortable field: From <= value < To. A nil bound is open.
// Bounds take the values Document takes for sortable fields (time.Time,
// RFC 3339 or YYYY-MM-DD strings, numbers).
type Range struct {
	From, To any
}

// RangeFacet counts documents per named range of a sortable field.
type RangeFacet struct {
	Field   string
	Buckets []NamedRange
}

// NamedRange is one bucket of a RangeFacet.
type NamedRange struct {
	Name string
	Range
}

// Result is one page of hits with the total count and the facets asked for.
type Result struct {
	Total  int
	Hits   []Hit
	Facets map[string][]FacetValue
}

// Hit is one matching document.
type Hit struct {
	ID    string
	Score float64
}

// FacetValue is the number of matching documents that hold a value. Values
// come sorted by count descending, then by name.
type FacetValue struct {
	Name  string
	Count int
}

// Index is a full-text index.
type Index interface {
	// Upsert adds documents or replaces those with the same ID.
	Upsert(ctx context.Context, docs ...Document) error
	// Delete removes documents; unknown IDs are not an error.
	Delete(ctx context.Context, ids ...string) error
	Search(ctx context.Context, q Query) (Result, error)
	// Count is the number of documents in the index.
	Count(ctx context.Context) (int, error)
	// Rebuild starts a new, empty index beside the live one; searches keep
	// answering from the live one until Swap. One rebuild runs at a time
	// (ErrRebuilding).
	Rebuild(ctx context.Context) (Rebuild, error)
	Close() error
}

// Rebuild is a new index being filled beside the live one.
type Rebuild interface {
	Upsert(ctx context.Context, docs ...Document) error
	// Delete removes documents; changes arriving while rebuilding go to
	// both the live index and the rebuild.
	Delete(ctx context.Context, ids ...string) error
	// Swap makes the new index the live one in one step and drops the old.
	Swap(ctx context.Context) error
	// Abort drops the new index; the live one stays.
	Abort(ctx context.Context) error
}

// ErrRebuilding says a rebuild is already running.
var ErrRebuilding = errors.New("a rebuild is already running")

const (
	DefaultPageSize  = 20
	MaxPageSize      = 1000
	DefaultFacetSize = 10
	// MaxResultWindow bounds Page*PageSize, as Elasticsearch does for udata.
	MaxResultWindow = 10000
	// MaxQueryWords is how many words of Text are searched (Meilisearch's limit).
	MaxQueryWords = 10
)

// ErrInvalidQuery is wrapped by every error caused by the query itself (an
// unknown filter, facet or sort field, a page out of the result window).
var ErrInvalidQuery = errors.New("invalid query")

// validate checks q against the schema and fills in defaults.
func (s Schema) validate(q Query) (Query, error) {
	if q.Page <= 0 {
		q.Page = 1
	}
	if q.PageSize <= 0 {
		q.PageSize = DefaultPageSize
	}
	if q.PageSize > MaxPageSize {
		return q, fmt.Errorf("%w: page size %d above %d", ErrInvalidQuery, q.PageSize, MaxPageSize)
	}
	if q.Page > MaxResultWindow/q.PageSize {
		return q, fmt.Errorf("%w: page %d of %d beyond the %d results window", ErrInvalidQuery, q.Page, q.PageSize, MaxResultWindow)
	}
	if q.FacetSize <= 0 {
		q.FacetSize = DefaultFacetSize
	}
	for key := range q.Filters {
		if !contains(s.Filterable, key) {
			return q, fmt.Errorf("%w: %q is not filterable", ErrInvalidQuery, key)
		}
	}
	for _, f := range q.Facets {
		if !contains(s.Facets, f) {
			return q, fmt.Errorf("%w: %q is not a facet", ErrInvalidQuery, f)
		}
	}
	for field, r := range q.Ranges {
		if err := s.checkRange(field, r); err != nil {
			return q, err
		}
	}
	for name, rf := range q.RangeFacets {
		if contains(q.Facets, name) {
			return q, fmt.Errorf("%w: %q asked both as a facet and a range facet", ErrInvalidQuery, name)
		}
		if !contains(s.Sortable, rf.Field) || len(rf.Buckets) == 0 {
			return q, fmt.Errorf("%w: range facet %s needs buckets on a sortable field", ErrInvalidQuery, name)
		}
		for _, b := range rf.Buckets {
			if err := s.checkRange(rf.Field, b.Range); err != nil {
				return q, fmt.Errorf("range facet %s: %w", name, err)
			}
		}
	}
	if q.Sort != "" && !contains(s.Sortable, strings.TrimPrefix(q.Sort, "-")) {
		return q, fmt.Errorf("%w: %q is not sortable", ErrInvalidQuery, q.Sort)
	}
	return q, nil
}

// checkRange says whether a range applies to a sortable field with bounds
// of a sortable type.
func (s Schema) checkRange(field string, r Range) error {
	if !contains(s.Sortable, field) {
		return fmt.Errorf("%w: %q is not sortable, so has no range", ErrInvalidQuery, field)
	}
	for _, bound := range []any{r.From, r.To} {
		if bound == nil {
			continue
		}
		if _, err := sortValue(bound); err != nil {
			return fmt.Errorf("%w: range of %s: %v", ErrInvalidQuery, field, err)
		}
	}
	return nil
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
