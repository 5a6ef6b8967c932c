package api

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/gateway/internal/inorder"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// Search answers. Without a search service the search endpoints answer
// 501 with udata's message when its search is disabled; the v1 lists'
// q then falls back to the catalog's word match, as before search existed.
const (
	msgSearchDisabled = "Search endpoint not enabled"
	msgSearchDown     = "Search service unavailable"
	// searchWindow is the deepest result search pages reach (udata's
	// Elasticsearch max_result_window).
	searchWindow       = 10000
	msgSearchWindow    = "Pagination is limited to the first 10000 results: page * page_size must not exceed 10000"
	defaultSuggestSize = 10
	defaultTagsSize    = 8
)

// datasetSearchSorts are the sorts of /api/2/datasets/search/.
func datasetSearchSorts() []string {
	return sortChoices("created", "last_update", "reuses", "followers", "views")
}

// datasetFacets are the facets /api/2/datasets/search/ counts, sorted (the
// order of the body's keys).
var datasetFacets = []string{
	"badge", "featured", "format", "format_family", "geozone", "granularity", "last_update_range",
	"license", "organization", "producer_type", "schema", "tag",
}

// organizationFacets are those of /api/2/organizations/search/.
var organizationFacets = []string{"badge", "producer_type"}

// searchQuery is a parsed search request.
type searchQuery struct {
	q          *searchv1.Query
	page, size int64
}

// filter adds a filter on field with the non-empty values, if any.
func (sq *searchQuery) filter(field string, values ...string) {
	var vs []string
	for _, v := range values {
		if v != "" {
			vs = append(vs, v)
		}
	}
	if len(vs) > 0 {
		sq.q.Filters = append(sq.q.Filters, &searchv1.Filter{Field: field, Values: vs})
	}
}

// parseDatasetSearch reads the arguments of udata's dataset search
// parser, answering the first bad one (and returning nil). Filter values
// the index does not know find nothing: they are data, not errors.
func parseDatasetSearch(w http.ResponseWriter, r *http.Request) *searchQuery {
	a := newArgs(w, r)
	sq := &searchQuery{q: &searchv1.Query{Q: a.str("q"), Facets: datasetFacets}}
	sq.q.Sort = a.choice("sort", helpSort, datasetSearchSorts())
	sq.page = a.positive("page", "The page to display", 1)
	sq.size = a.positive("page_size", "The page size", defaultPageSize)
	featured := a.boolean("featured", helpFeatured)
	if a.failed {
		return nil
	}
	sq.filter("tag", a.list("tag")...)
	sq.filter("organization", strings.Split(a.str("organization"), "|")...)
	for _, f := range []string{"badge", "organization_badge", "organization_name", "owner", "license", "geozone",
		"access_type", "format_family", "producer_type", "last_update_range"} {
		sq.filter(f, a.str(f))
	}
	for _, f := range []string{"granularity", "format", "schema"} {
		sq.filter(f, a.list(f)...)
	}
	if tc := a.str("temporal_coverage"); tc != "" {
		if !validTemporalCoverage(tc) {
			writeMessage(w, http.StatusBadRequest, msgTemporalCoverage)
			return nil
		}
		sq.filter("temporal_coverage", tc)
	}
	if featured != nil {
		sq.filter("featured", strconv.FormatBool(*featured))
	}
	if topic := a.str("topic"); topic != "" {
		// Relais has no topics yet: no dataset belongs to one.
		sq.filter("topic", topic)
	}
	if !sq.window(w) {
		return nil
	}
	return sq
}

// window checks that the page lies in the search window and sets it on
// the query.
func (sq *searchQuery) window(w http.ResponseWriter) bool {
	if sq.page > searchWindow || sq.size > searchWindow || sq.page*sq.size > searchWindow {
		writeMessage(w, http.StatusBadRequest, msgSearchWindow)
		return false
	}
	sq.q.Page, sq.q.PageSize = int32(sq.page), int32(sq.size)
	return true
}

// searchDatasets is GET /api/2/datasets/search/: hits from the search
// service, datasets from the catalog (one read, search order kept),
// rendered as /api/2/datasets/ renders them.
func (s *Server) searchDatasets(w http.ResponseWriter, r *http.Request) {
	if s.search == nil {
		writeMessage(w, http.StatusNotImplemented, msgSearchDisabled)
		return
	}
	sq := parseDatasetSearch(w, r)
	if sq == nil {
		return
	}
	if unknownFilter(sq.q, "topic") {
		s.writeSearchPage(w, r, sq, emptyHits(sq.q), nil)
		return
	}
	resp, err := s.search.SearchDatasets(r.Context(), &searchv1.SearchDatasetsRequest{Query: sq.q})
	if err != nil {
		s.searchFailed(w, r, err)
		return
	}
	ds, err := s.datasetsByIDs(r.Context(), resp.GetHits().GetIds())
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	s.writeSearchPage(w, r, sq, resp.GetHits(), func(jw *udata.Writer) {
		for _, d := range ds {
			s.render.DatasetV2(jw, d)
		}
	})
}

// unknownFilter says the query filters on a field the index lacks.
func unknownFilter(q *searchv1.Query, field string) bool {
	return slices.ContainsFunc(q.GetFilters(), func(f *searchv1.Filter) bool { return f.GetField() == field })
}

// emptyHits is the answer to a query that can find nothing.
func emptyHits(q *searchv1.Query) *searchv1.Hits {
	h := &searchv1.Hits{}
	for _, name := range q.GetFacets() {
		h.Facets = append(h.Facets, &searchv1.Facet{Name: name})
	}
	return h
}

// writeSearchPage writes a search_pager page of hits; items renders the
// page's objects (nil: none).
func (s *Server) writeSearchPage(w http.ResponseWriter, r *http.Request, sq *searchQuery, h *searchv1.Hits, items func(*udata.Writer)) {
	info := s.pageInfo(r, sq.page, sq.size, h.GetTotal(), false)
	if sq.page*sq.size >= searchWindow {
		info.Next = "" // the next page would be refused
	}
	facets := make([]udata.Facet, 0, len(h.GetFacets()))
	for _, f := range h.GetFacets() {
		values := []udata.FacetCount{{Name: "all", Count: h.GetTotal()}}
		for _, v := range f.GetValues() {
			values = append(values, udata.FacetCount{Name: v.GetName(), Count: v.GetCount()})
		}
		facets = append(facets, udata.Facet{Name: f.GetName(), Values: values})
	}
	sort.Slice(facets, func(i, j int) bool { return facets[i].Name < facets[j].Name })
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.SearchPage(info, facets, func(jw *udata.Writer) {
			if items != nil {
				items(jw)
			}
		})
	})
}

// searchFailed answers a failed search call: the query's own fault is a
// 400 with the service's explanation; an unreachable service a 503.
func (s *Server) searchFailed(w http.ResponseWriter, r *http.Request, err error) {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.InvalidArgument:
		writeMessage(w, http.StatusBadRequest, st.Message())
	case codes.Canceled, codes.DeadlineExceeded, codes.Unavailable:
		s.log.WarnContext(r.Context(), "search service unavailable", "err", err)
		w.Header().Set("Retry-After", "1")
		writeMessage(w, http.StatusServiceUnavailable, msgSearchDown)
	default:
		s.log.ErrorContext(r.Context(), "search failed", "err", err)
		writeMessage(w, http.StatusServiceUnavailable, msgSearchDown)
	}
}

// datasetsByIDs reads the datasets of a page of hits in one catalog call
// and returns them in the hits' order; those the catalog no longer shows
// (deleted since the index saw them) are left out.
func (s *Server) datasetsByIDs(ctx context.Context, ids []string) ([]*catalogv1.Dataset, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	resp, err := s.catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Ids: ids, PageSize: int32(len(ids))})
	if err != nil {
		return nil, err
	}
	return inorder.ByID(ids, resp.GetDatasets()), nil
}

// organizationsByIDs is datasetsByIDs for organizations.
func (s *Server) organizationsByIDs(ctx context.Context, ids []string) ([]*catalogv1.Organization, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	resp, err := s.catalog.ListOrganizations(ctx, &catalogv1.ListOrganizationsRequest{Ids: ids, PageSize: int32(len(ids))})
	if err != nil {
		return nil, err
	}
	return inorder.ByID(ids, resp.GetOrganizations()), nil
}

// searchOrganizations is GET /api/2/organizations/search/.
func (s *Server) searchOrganizations(w http.ResponseWriter, r *http.Request) {
	if s.search == nil {
		writeMessage(w, http.StatusNotImplemented, msgSearchDisabled)
		return
	}
	a := newArgs(w, r)
	sq := &searchQuery{q: &searchv1.Query{Q: a.str("q"), Facets: organizationFacets}}
	sq.q.Sort = a.choice("sort", helpSort, sortChoices("reuses", "datasets", "followers", "views", "created"))
	sq.page = a.positive("page", "The page to display", 1)
	sq.size = a.positive("page_size", "The page size", defaultPageSize)
	if a.failed {
		return
	}
	for _, f := range []string{"badge", "producer_type"} {
		if v := a.str(f); v != "" {
			sq.q.Filters = append(sq.q.Filters, &searchv1.Filter{Field: f, Values: []string{v}})
		}
	}
	if !sq.window(w) {
		return
	}
	resp, err := s.search.SearchOrganizations(r.Context(), &searchv1.SearchOrganizationsRequest{Query: sq.q})
	if err != nil {
		s.searchFailed(w, r, err)
		return
	}
	orgs, err := s.organizationsByIDs(r.Context(), resp.GetHits().GetIds())
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	s.writeSearchPage(w, r, sq, resp.GetHits(), func(jw *udata.Writer) {
		for _, o := range orgs {
			s.render.Organization(jw, o)
		}
	})
}

// suggestArgs reads q (required) and size, as udata's suggest parsers.
func suggestArgs(w http.ResponseWriter, r *http.Request, def int64) (*searchv1.Suggestion, bool) {
	a := newArgs(w, r)
	if _, ok := a.values["q"]; !ok {
		a.fail("q", "The string to autocomplete/suggest Missing required parameter in the query string")
		return nil, false
	}
	q := a.str("q")
	size := a.positive("size", "The amount of suggestion to fetch", def)
	if a.failed {
		return nil, false
	}
	return &searchv1.Suggestion{Q: q, Size: int32(min(size, maxPageSize))}, true
}

// suggestDatasets is GET /api/1/datasets/suggest/.
func (s *Server) suggestDatasets(w http.ResponseWriter, r *http.Request) {
	if s.search == nil {
		writeMessage(w, http.StatusNotImplemented, msgSearchDisabled)
		return
	}
	sg, ok := suggestArgs(w, r, defaultSuggestSize)
	if !ok {
		return
	}
	resp, err := s.search.SuggestDatasets(r.Context(), &searchv1.SuggestDatasetsRequest{Suggestion: sg})
	if err != nil {
		s.searchFailed(w, r, err)
		return
	}
	ds, err := s.datasetsByIDs(r.Context(), resp.GetIds())
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.BeginArray()
		for _, d := range ds {
			s.render.DatasetSuggestion(jw, d)
		}
		jw.EndArray()
	})
}

// suggestTags is GET /api/1/tags/suggest/: [{"text"}], shortest first as
// udata sorts them.
func (s *Server) suggestTags(w http.ResponseWriter, r *http.Request) {
	if s.search == nil {
		writeMessage(w, http.StatusNotImplemented, msgSearchDisabled)
		return
	}
	sg, ok := suggestArgs(w, r, defaultTagsSize)
	if !ok {
		return
	}
	resp, err := s.search.SuggestTags(r.Context(), &searchv1.SuggestTagsRequest{Suggestion: sg})
	if err != nil {
		s.searchFailed(w, r, err)
		return
	}
	tags := resp.GetTags()
	sort.SliceStable(tags, func(i, j int) bool { return len(tags[i]) < len(tags[j]) })
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { jw.TagSuggestions(tags) })
}
