package api

import (
	"net/http"
	"strconv"
	"strings"

	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// searchDatasetList answers a v1 (or v2) dataset list with q from the
// search index, with the list's other filters, and reports whether it did.
// It leaves to the catalog what the index cannot answer as the list must:
// signed-in callers (who also see their private datasets), state filters,
// several tags (all must match, where index filters match any), sort by
// title, schema_version and temporal_coverage (which the list matches on
// the coverage's start), pages beyond the search window, and any failure
// of the search service.
func (s *Server) searchDatasetList(w http.ResponseWriter, r *http.Request, q *datasetQuery, v2 bool) bool {
	req := q.req
	switch {
	case s.search == nil, req.GetQ() == "", hasKey(r),
		req.Archived != nil, req.Deleted != nil, req.Private != nil,
		len(req.GetTags()) > 1, strings.TrimPrefix(req.GetSort(), "-") == "title",
		req.GetSchemaVersion() != "", req.GetTemporalCoverage() != "", req.GetReuse() != "",
		q.page*q.size > searchWindow:
		return false
	}
	sq := &searchv1.Query{Q: req.GetQ(), Sort: req.GetSort(), Page: int32(q.page), PageSize: int32(q.size)}
	for _, f := range []struct{ field, value string }{
		{"organization", req.GetOrganization()}, {"owner", req.GetOwner()}, {"license", req.GetLicense()},
		{"format", strings.ToLower(req.GetFormat())}, {"schema", req.GetSchema()}, {"granularity", req.GetGranularity()},
		{"geozone", req.GetGeozone()}, {"badge", req.GetBadge()},
	} {
		if f.value != "" {
			sq.Filters = append(sq.Filters, &searchv1.Filter{Field: f.field, Values: []string{f.value}})
		}
	}
	if len(req.GetTags()) == 1 {
		sq.Filters = append(sq.Filters, &searchv1.Filter{Field: "tag", Values: req.GetTags()})
	}
	if req.Featured != nil {
		sq.Filters = append(sq.Filters, &searchv1.Filter{Field: "featured", Values: []string{strconv.FormatBool(req.GetFeatured())}})
	}
	resp, err := s.search.SearchDatasets(r.Context(), &searchv1.SearchDatasetsRequest{Query: sq})
	if err != nil {
		s.log.WarnContext(r.Context(), "dataset list q answered by the catalog: search failed", "err", err)
		return false
	}
	ds, err := s.datasetsByIDs(r.Context(), resp.GetHits().GetIds())
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return true
	}
	if pastTheEnd(q.page, q.size, len(ds)) {
		s.notFound(w, r, msgNotFound)
		return true
	}
	info := s.pageInfo(r, q.page, q.size, resp.GetHits().GetTotal(), q.capped)
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.Page(info, func(jw *udata.Writer) {
			for _, d := range ds {
				if v2 {
					s.render.DatasetV2(jw, d)
				} else {
					s.render.Dataset(jw, d)
				}
			}
		})
	})
	return true
}
