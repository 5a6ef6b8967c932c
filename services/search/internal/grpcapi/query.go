package grpcapi

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/relais-data/relais/pkg/searchindex"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/search/internal/docs"
)

// Filters and facets that the index does not hold as such: the service
// turns them into ranges on sortable fields, as udata's search does.
const (
	lastUpdateRange  = "last_update_range"
	temporalCoverage = "temporal_coverage"
)

// lastUpdateRanges are udata's last_update_range values, in its order.
var lastUpdateRanges = []struct {
	name string
	ago  func(time.Time) time.Time
}{
	{"last_30_days", func(t time.Time) time.Time { return t.AddDate(0, 0, -30) }},
	{"last_12_months", func(t time.Time) time.Time { return t.AddDate(-1, 0, 0) }},
	{"last_3_years", func(t time.Time) time.Time { return t.AddDate(-3, 0, 0) }},
}

// nothing is a range no document's date reaches: an unknown value of a
// range filter finds nothing, as an unknown facet value does.
var nothing = searchindex.Range{From: float64(1 << 62)}

// indexQuery turns a request into an index query; now dates the relative
// ranges.
func indexQuery(q *searchv1.Query, now time.Time) (searchindex.Query, error) {
	out := searchindex.Query{
		Text:      q.GetQ(),
		Sort:      q.GetSort(),
		Page:      int(q.GetPage()),
		PageSize:  int(q.GetPageSize()),
		FacetSize: int(q.GetFacetSize()),
	}
	for _, f := range q.GetFilters() {
		if len(f.GetValues()) == 0 {
			continue
		}
		switch f.GetField() {
		case lastUpdateRange:
			r := nothing
			for _, lr := range lastUpdateRanges {
				if lr.name == f.GetValues()[0] {
					r = searchindex.Range{From: lr.ago(now)}
				}
			}
			addRange(&out, docs.FieldLastUpdate, r)
		case temporalCoverage:
			start, end, err := parseCoverage(f.GetValues()[0])
			if err != nil {
				return out, err
			}
			// The dataset's coverage lies within the asked one.
			addRange(&out, docs.FieldTemporalCoverageStart, searchindex.Range{From: start})
			addRange(&out, docs.FieldTemporalCoverageEnd, searchindex.Range{To: end.AddDate(0, 0, 1)})
		default:
			if out.Filters == nil {
				out.Filters = map[string][]string{}
			}
			out.Filters[f.GetField()] = append(out.Filters[f.GetField()], f.GetValues()...)
		}
	}
	for _, name := range q.GetFacets() {
		if name != lastUpdateRange {
			out.Facets = append(out.Facets, name)
			continue
		}
		buckets := make([]searchindex.NamedRange, len(lastUpdateRanges))
		for i, lr := range lastUpdateRanges {
			buckets[i] = searchindex.NamedRange{Name: lr.name, Range: searchindex.Range{From: lr.ago(now)}}
		}
		out.RangeFacets = map[string]searchindex.RangeFacet{
			lastUpdateRange: {Field: docs.FieldLastUpdate, Buckets: buckets},
		}
	}
	return out, nil
}

func addRange(q *searchindex.Query, field string, r searchindex.Range) {
	if q.Ranges == nil {
		q.Ranges = map[string]searchindex.Range{}
	}
	q.Ranges[field] = r
}

// parseCoverage reads udata's YYYY-MM-DD-YYYY-MM-DD.
func parseCoverage(s string) (start, end time.Time, err error) {
	bad := fmt.Errorf("%w: temporal_coverage %.40q: want YYYY-MM-DD-YYYY-MM-DD", searchindex.ErrInvalidQuery, s)
	if len(s) != 21 || s[10] != '-' {
		return start, end, bad
	}
	start, err1 := time.Parse(time.DateOnly, s[:10])
	end, err2 := time.Parse(time.DateOnly, s[11:])
	if err1 != nil || err2 != nil || end.Before(start) {
		return start, end, bad
	}
	return start, end, nil
}

// hits turns an index result into the response, facets in the order asked.
func hits(res searchindex.Result, facets []string) *searchv1.Hits {
	out := &searchv1.Hits{Total: int64(res.Total), Ids: make([]string, len(res.Hits))}
	for i, h := range res.Hits {
		out.Ids[i] = h.ID
	}
	for _, name := range facets {
		f := &searchv1.Facet{Name: name}
		for _, v := range res.Facets[name] {
			f.Values = append(f.Values, &searchv1.FacetValue{Name: v.Name, Count: int64(v.Count)})
		}
		out.Facets = append(out.Facets, f)
	}
	return out
}

// fold lowercases s and drops its accents, to match tags as typed.
func fold(s string) string {
	out, _, err := transform.String(folder, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

var folder = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
