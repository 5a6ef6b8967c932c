package api

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/relais-data/relais/pkg/ids"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// datasetSorts are the sort choices of udata's DatasetApiParser.
func datasetSorts() []string {
	return sortChoices("title", "created", "last_update", "reuses", "followers", "views")
}

const (
	helpSort     = "The field (and direction) on which sorting apply"
	helpFeatured = "If set to true, it will filter on featured datasets only. If set to false, it will exclude featured datasets."
	helpArchived = "If set to true, it will filter on archived datasets only. If set to false, it will exclude archived datasets. User must be authenticated and results are limited to user visibility"
	helpDeleted  = "If set to true, it will filter on deleted datasets only. If set to false, it will exclude deleted datasets. User must be authenticated and results are limited to user visibility"
	helpPrivate  = "If set to true, it will filter on private datasets only. If set to false, it will exclude private datasets. User must be authenticated and results are limited to user visibility"
)

// datasetQuery is a parsed dataset list query.
type datasetQuery struct {
	req    *catalogv1.ListDatasetsRequest
	page   int64
	size   int64
	capped bool
}

// parseDatasetQuery reads the arguments of DatasetApiParser in udata's
// order, answering the first bad one (and returning nil).
func parseDatasetQuery(w http.ResponseWriter, r *http.Request) *datasetQuery {
	a := newArgs(w, r)
	q := &datasetQuery{req: &catalogv1.ListDatasetsRequest{}}
	q.req.Q = a.str("q")
	q.req.Sort = a.choice("sort", helpSort, datasetSorts())
	q.page, q.size, q.capped = pageArgs(a, defaultPageSize)
	q.req.Tags = a.list("tag")
	q.req.License = a.str("license")
	q.req.Featured = a.boolean("featured", helpFeatured)
	archived := a.boolean("archived", helpArchived)
	deleted := a.boolean("deleted", helpDeleted)
	private := a.boolean("private", helpPrivate)
	if a.failed {
		return nil
	}
	// parse_filters order: temporal coverage, identifiers, then the
	// authenticated-only filters.
	q.req.Geozone = a.str("geozone")
	q.req.Granularity = a.str("granularity")
	q.req.Badge = a.str("badge")
	if tc := a.str("temporal_coverage"); tc != "" {
		if !validTemporalCoverage(tc) {
			writeMessage(w, http.StatusBadRequest, msgTemporalCoverage)
			return nil
		}
		q.req.TemporalCoverage = tc
	}
	if org := a.str("organization"); org != "" {
		if !ids.IsObjectID(org) {
			writeMessage(w, http.StatusBadRequest, "Organization arg must be an identifier")
			return nil
		}
		q.req.Organization = org
	}
	if owner := a.str("owner"); owner != "" {
		if !ids.IsObjectID(owner) {
			writeMessage(w, http.StatusBadRequest, "Owner arg must be an identifier")
			return nil
		}
		q.req.Owner = owner
	}
	for _, id := range []struct{ arg, msg string }{
		{"followed_by", "`followed_by` arg must be an identifier"},
		{"topic", "Topic arg must be an identifier"},
		{"dataservice", "Dataservice arg must be an identifier"},
		{"reuse", "Reuse arg must be an identifier"},
	} {
		if v := a.str(id.arg); v != "" && !ids.IsObjectID(v) {
			writeMessage(w, http.StatusBadRequest, id.msg)
			return nil
		}
	}
	q.req.Reuse = a.str("reuse")
	q.req.Format = a.str("format")
	q.req.Schema = a.str("schema")
	q.req.SchemaVersion = a.str("schema_version")
	if (archived != nil || deleted != nil || private != nil) && !hasKey(r) {
		writeUnauthorized(w, msgUnauthorized)
		return nil
	}
	q.req.Archived, q.req.Deleted, q.req.Private = archived, deleted, private
	q.req.Page = int32(q.page)
	q.req.PageSize = int32(q.size)
	// The caller's own private datasets are listed too, as udata's
	// visible_by_user does.
	q.req.IncludePrivate = hasKey(r)
	return q
}

// listDatasets is GET /api/1/datasets/.
func (s *Server) listDatasets(w http.ResponseWriter, r *http.Request) {
	s.serveDatasetList(w, r, nil, false)
}

// serveDatasetList answers a dataset list (v1 or v2 item shape), the
// organization forced to org when set.
func (s *Server) serveDatasetList(w http.ResponseWriter, r *http.Request, org *string, v2 bool) {
	q := parseDatasetQuery(w, r)
	if q == nil {
		return
	}
	if org != nil {
		q.req.Organization = *org
	}
	if s.searchDatasetList(w, r, q, v2) {
		return
	}
	if beyondAnyCatalog(q.page, q.size) {
		s.notFound(w, r, msgNotFound)
		return
	}
	resp, err := s.catalog.ListDatasets(r.Context(), q.req)
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	if pastTheEnd(q.page, q.size, len(resp.GetDatasets())) {
		s.notFound(w, r, msgNotFound)
		return
	}
	info := s.pageInfo(r, q.page, q.size, resp.GetTotal(), q.capped)
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.Page(info, func(jw *udata.Writer) {
			for _, d := range resp.GetDatasets() {
				if v2 {
					s.render.DatasetV2(jw, d)
				} else {
					s.render.Dataset(jw, d)
				}
			}
		})
	})
}

// createDataset is POST /api/1/datasets/.
func (s *Server) createDataset(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseDatasetCreate(body)
	if err != nil {
		s.writeBodyError(w, err, kindDataset)
		return
	}
	resp, err := s.catalog.CreateDataset(r.Context(), &catalogv1.CreateDatasetRequest{Dataset: in.Input})
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	s.writeJSON(w, http.StatusCreated, func(jw *udata.Writer) { s.render.Dataset(jw, resp.GetDataset()) })
}

// fetchDataset gets the dataset of the {dataset} path parameter. It
// answers errors itself, and a 308 to the canonical URL when the dataset
// was found by an old slug; ok is false then.
func (s *Server) fetchDataset(w http.ResponseWriter, r *http.Request) (*catalogv1.Dataset, bool) {
	ref := r.PathValue("dataset")
	resp, err := s.catalog.GetDataset(r.Context(), &catalogv1.GetDatasetRequest{Dataset: ref})
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return nil, false
	}
	if resp.GetMoved() && s.redirectCanonical(w, r, ref, resp.GetDataset().GetSlug()) {
		return nil, false
	}
	return resp.GetDataset(), true
}

// getDataset is GET /api/1/datasets/{dataset}/.
func (s *Server) getDataset(w http.ResponseWriter, r *http.Request) {
	d, ok := s.fetchDataset(w, r)
	if !ok {
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Dataset(jw, d) })
	s.views.viewed(r, "dataset", d.GetId(), "", eventsv1.ViewChannel_VIEW_CHANNEL_API)
}

// updateDataset is PUT /api/1/datasets/{dataset}/.
func (s *Server) updateDataset(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseDatasetUpdate(body)
	if err != nil {
		s.writeBodyError(w, err, kindDataset)
		return
	}
	resp, err := s.catalog.UpdateDataset(r.Context(), &catalogv1.UpdateDatasetRequest{
		Dataset:    r.PathValue("dataset"),
		Input:      in.Input,
		UpdateMask: &fieldmaskpb.FieldMask{Paths: in.Mask},
	})
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Dataset(jw, resp.GetDataset()) })
}

// deleteDataset is DELETE /api/1/datasets/{dataset}/.
func (s *Server) deleteDataset(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	if _, err := s.catalog.DeleteDataset(r.Context(), &catalogv1.DeleteDatasetRequest{Dataset: r.PathValue("dataset")}); err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	writeNoContent(w)
}

// redirectCanonical answers 308 to the request URL with its ref path
// segment replaced by the object's canonical slug, as udata's
// ModelConverter does for old slugs.
// It reports false, having written nothing, when there is nowhere else to
// go (the request already names the canonical slug).
func (s *Server) redirectCanonical(w http.ResponseWriter, r *http.Request, ref, slug string) bool {
	path := r.URL.EscapedPath()
	escapedRef := (&url.URL{Path: ref}).EscapedPath()
	i := strings.Index(path, "/"+escapedRef+"/")
	if slug == "" || slug == ref || i < 0 {
		return false
	}
	path = path[:i+1] + (&url.URL{Path: slug}).EscapedPath() + path[i+1+len(escapedRef):]
	s.redirect(w, r, path, http.StatusPermanentRedirect)
	return true
}

// redirect answers a redirection to path (escaped) on the public URL,
// keeping the query string, with Werkzeug's absolute Location.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, path string, code int) {
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", s.render.BaseURL()+path)
	w.WriteHeader(code)
}

// msgTemporalCoverage answers a malformed temporal_coverage (udata does
// not check the argument; an unfiltered list would be a wrong answer).
const msgTemporalCoverage = "temporal_coverage arg must be YYYY-MM-DD-YYYY-MM-DD"

// validTemporalCoverage checks YYYY-MM-DD-YYYY-MM-DD (two real dates).
func validTemporalCoverage(tc string) bool {
	if len(tc) != 21 || tc[10] != '-' {
		return false
	}
	for _, d := range []string{tc[:10], tc[11:]} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return false
		}
	}
	return true
}
