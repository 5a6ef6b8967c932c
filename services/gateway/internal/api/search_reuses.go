package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/gateway/internal/inorder"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// reuseFacets are the facets /api/2/reuses/search/ counts, sorted (the
// order of the body's keys): udata's reuse search filters, each counted.
var reuseFacets = []string{
	"badge", "featured", "last_update_range", "organization", "organization_badge", "owner",
	"producer_type", "tag", "topic", "type",
}

const helpReuseArchived = "If set to true, it will filter on archived reuses only. If set to false, it will exclude archived reuses."

// parseReuseSearch reads the arguments of udata's reuse search parser
// (ReuseSearch.as_request_parser), answering the first bad one (and
// returning nil). Filter values the index does not know find nothing.
func parseReuseSearch(w http.ResponseWriter, r *http.Request) *searchQuery {
	a := newArgs(w, r)
	sq := &searchQuery{q: &searchv1.Query{Q: a.str("q"), Facets: reuseFacets}}
	sq.q.Sort = a.choice("sort", helpSort, sortChoices("created", "datasets", "followers", "views"))
	sq.page = a.positive("page", "The page to display", 1)
	sq.size = a.positive("page_size", "The page size", defaultPageSize)
	featured := a.boolean("featured", helpReuseFeatured)
	archived := a.boolean("archived", helpReuseArchived)
	if a.failed {
		return nil
	}
	sq.filter("tag", a.list("tag")...)
	for _, f := range []string{"organization", "organization_badge", "owner", "type", "badge", "topic",
		"producer_type", "last_update_range", "dataset"} {
		sq.filter(f, a.str(f))
	}
	for name, b := range map[string]*bool{"featured": featured, "archived": archived} {
		if b != nil {
			sq.filter(name, strconv.FormatBool(*b))
		}
	}
	if !sq.window(w) {
		return nil
	}
	return sq
}

// searchReuses is GET /api/2/reuses/search/: hits from the search
// service, reuses from the catalog (search order kept), rendered as
// /api/2/reuses/ renders them, in udata's search pager with facets.
func (s *Server) searchReuses(w http.ResponseWriter, r *http.Request) {
	if s.search == nil {
		writeMessage(w, http.StatusNotImplemented, msgSearchDisabled)
		return
	}
	sq := parseReuseSearch(w, r)
	if sq == nil {
		return
	}
	resp, err := s.search.SearchReuses(r.Context(), &searchv1.SearchReusesRequest{Query: sq.q})
	if err != nil {
		s.searchFailed(w, r, err)
		return
	}
	reuses, err := s.reusesByIDs(r.Context(), resp.GetHits().GetIds())
	if err != nil {
		s.fail(w, r, err, kindReuse)
		return
	}
	s.writeSearchPage(w, r, sq, resp.GetHits(), func(jw *udata.Writer) {
		for _, u := range reuses {
			s.render.ReuseV2(jw, u)
		}
	})
}

// reusesByIDs reads the reuses of a page of hits in one catalog call (one
// per maxPageSize hits, the catalog's bound on ids, for larger pages) and
// returns them in the hits' order; those the catalog no longer shows the
// caller (deleted or made private since the index saw them) are left out.
// The caller's own private reuses stay, as GET /api/1/reuses/{id}/ shows
// them.
func (s *Server) reusesByIDs(ctx context.Context, ids []string) ([]*catalogv1.Reuse, error) {
	var found []*catalogv1.Reuse
	for chunk := range slices.Chunk(ids, maxPageSize) {
		resp, err := s.catalog.ListReuses(ctx, &catalogv1.ListReusesRequest{Ids: chunk, PageSize: int32(len(chunk)), IncludePrivate: true})
		if err != nil {
			return nil, err
		}
		found = append(found, resp.GetReuses()...)
	}
	return inorder.ByID(ids, found), nil
}
