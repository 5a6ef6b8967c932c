package api

import (
	"net/http"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// v2ResourcesPageSize is the default page size of /api/2/…/resources/.
const v2ResourcesPageSize = 50

// listDatasetsV2 is GET /api/2/datasets/: v1's filters, v2 items.
func (s *Server) listDatasetsV2(w http.ResponseWriter, r *http.Request) {
	s.serveDatasetList(w, r, nil, true)
}

// getDatasetV2 is GET /api/2/datasets/{dataset}/.
func (s *Server) getDatasetV2(w http.ResponseWriter, r *http.Request) {
	d, ok := s.fetchDataset(w, r)
	if !ok {
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.DatasetV2(jw, d) })
}

// datasetV2Sub dispatches /api/2/datasets/{a}/{b}/ to the routes udata
// has there, tried in its order: /resources/{rid}/, /{dataset}/resources/,
// /{dataset}/extras/.
func (s *Server) datasetV2Sub(w http.ResponseWriter, r *http.Request) {
	a, b := r.PathValue("a"), r.PathValue("b")
	switch {
	case a == "resources" && isUUID(b) && r.Method == http.MethodGet:
		s.getResourceV2(w, r, strings.ToLower(b))
	case b == "resources" && r.Method == http.MethodGet:
		r.SetPathValue("dataset", a)
		s.listResourcesV2(w, r)
	case b == "extras":
		r.SetPathValue("dataset", a)
		switch r.Method {
		case http.MethodGet:
			s.getDatasetExtras(w, r)
		case http.MethodPut:
			s.updateDatasetExtras(w, r)
		default:
			s.deleteDatasetExtras(w, r)
		}
	case a == "resources" && isUUID(b), b == "resources":
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		writeMessage(w, http.StatusMethodNotAllowed, msgMethodNotAllowed)
	default:
		s.notFound(w, r, msgNotFound)
	}
}

// getResourceV2 is GET /api/2/datasets/resources/{rid}/:
// {"dataset_id": id, "resource": {…}}.
func (s *Server) getResourceV2(w http.ResponseWriter, r *http.Request, rid string) {
	resp, err := s.catalog.GetResource(r.Context(), &catalogv1.GetResourceRequest{ResourceId: rid})
	if status.Code(err) == codes.NotFound {
		writeMessage(w, http.StatusNotFound, "Resource not found")
		return
	}
	if err != nil {
		s.fail(w, r, err, kindResource)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.BeginObject()
		jw.Key("dataset_id")
		jw.StringOrNullIfEmpty(resp.GetDatasetId())
		jw.Key("resource")
		s.render.Resource(jw, resp.GetResource())
		jw.EndObject()
	})
}

// listResourcesV2 is GET /api/2/datasets/{dataset}/resources/: a page of
// the dataset's resources, filtered by type and by a case-insensitive
// substring of the title (q).
func (s *Server) listResourcesV2(w http.ResponseWriter, r *http.Request) {
	a := newArgs(w, r)
	page, size, capped := pageArgs(a, v2ResourcesPageSize)
	typ := a.str("type")
	q := strings.ToLower(a.str("q"))
	if a.failed {
		return
	}
	d, ok := s.fetchDataset(w, r)
	if !ok {
		return
	}
	var matched []*catalogv1.Resource
	for _, res := range d.GetResources() {
		if typ != "" && res.GetType() != typ {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(res.GetTitle()), q) {
			continue
		}
		matched = append(matched, res)
	}
	var items []*catalogv1.Resource
	if start := (page - 1) * size; start < int64(len(matched)) {
		items = matched[start:min(start+size, int64(len(matched)))]
	}
	if pastTheEnd(page, size, len(items)) {
		s.notFound(w, r, msgNotFound)
		return
	}
	info := s.pageInfo(r, page, size, int64(len(matched)), capped)
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.Page(info, func(jw *udata.Writer) {
			for _, res := range items {
				s.render.Resource(jw, res)
			}
		})
	})
}
