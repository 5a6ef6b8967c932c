package api

import (
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/pkg/ids"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
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
	s.views.viewed(r, "dataset", d.GetId(), "", eventsv1.ViewChannel_VIEW_CHANNEL_API)
}

// datasetV2Sub dispatches /api/2/datasets/{a}/{b}/ to the routes udata
// has there, tried in its order: /resources/{rid}/, /{dataset}/resources/,
// /{dataset}/extras/.
func (s *Server) datasetV2Sub(w http.ResponseWriter, r *http.Request) {
	a, b := r.PathValue("a"), r.PathValue("b")
	switch {
	case a == "resources" && ids.IsCanonicalUUID(b) && r.Method == http.MethodGet:
		s.getResourceV2(w, r, strings.ToLower(b))
	case b == "resources" && r.Method == http.MethodGet:
		r.SetPathValue("dataset", a)
		s.listResourcesV2(w, r)
	case b == "extras":
		r.SetPathValue("dataset", a)
		switch r.Method {
		case http.MethodGet: // udata returns the extras as is: no mask
			s.getDatasetExtras(unmasked(w), r)
		case http.MethodPut:
			s.updateDatasetExtras(w, r)
		default:
			s.deleteDatasetExtras(w, r)
		}
	case a == "resources" && ids.IsCanonicalUUID(b), b == "resources":
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
		s.notFound(w, r, msgResourceMissing)
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
	s.views.viewed(r, "resource", resp.GetResource().GetId(), resp.GetDatasetId(), eventsv1.ViewChannel_VIEW_CHANNEL_API)
}

// listResourcesV2 is GET /api/2/datasets/{dataset}/resources/: a page of
// the dataset's resources, filtered by type and by a case-insensitive
// substring of the title (q). Its pager is udata's own for this endpoint:
// links on the dataset id with page, page_size, type and q only, and an
// empty page (not a 404) past the end.
func (s *Server) listResourcesV2(w http.ResponseWriter, r *http.Request) {
	a := newArgs(w, r)
	page, size, _ := pageArgs(a, v2ResourcesPageSize)
	typ := a.str("type")
	rawQ := a.str("q")
	q := strings.ToLower(rawQ)
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
	start := int64(len(matched)) // a page beyond any catalog is past the end
	if !beyondAnyCatalog(page, size) {
		start = (page - 1) * size
	}
	if start < int64(len(matched)) {
		items = matched[start:min(start+size, int64(len(matched)))]
	}
	link := func(p int64) string {
		u := s.render.BaseURL() + "/api/2/datasets/" + d.GetId() + "/resources/?page=" +
			strconv.FormatInt(p, 10) + "&page_size=" + strconv.FormatInt(size, 10)
		if typ != "" {
			u += "&type=" + quotePlus(typ)
		}
		if rawQ != "" {
			u += "&q=" + quotePlus(rawQ)
		}
		return u
	}
	info := udata.PageInfo{Page: page, PageSize: size, Total: int64(len(matched))}
	if start+size < int64(len(matched)) {
		info.Next = link(page + 1)
	}
	if page > 1 {
		info.Previous = link(page - 1)
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.Page(info, func(jw *udata.Writer) {
			for _, res := range items {
				s.render.Resource(jw, res)
			}
		})
	})
}
