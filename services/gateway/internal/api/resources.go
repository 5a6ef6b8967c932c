package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/relais-data/relais/pkg/ids"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// createResource is POST /api/1/datasets/{dataset}/resources/: remote
// resources only (files go through the upload endpoints).
func (s *Server) createResource(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseResourceCreate(body)
	if err != nil {
		s.writeBodyError(w, err, kindResource)
		return
	}
	if in.Input.GetFiletype() != "remote" {
		writeMessage(w, http.StatusBadRequest, msgRemoteOnly)
		return
	}
	resp, err := s.catalog.CreateResource(r.Context(), &catalogv1.CreateResourceRequest{
		Dataset:  r.PathValue("dataset"),
		Resource: in.Input,
	})
	if err != nil {
		s.fail(w, r, err, kindResource)
		return
	}
	s.writeJSON(w, http.StatusCreated, func(jw *udata.Writer) { s.render.Resource(jw, resp.GetResource()) })
}

// reorderResources is PUT /api/1/datasets/{dataset}/resources/: the body
// lists every resource of the dataset ({"id"} objects, full resources or
// ids) in the new order.
func (s *Server) reorderResources(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	ids, err := udata.ParseReorder(body)
	if err != nil {
		s.writeBodyError(w, err, kindResource)
		return
	}
	d, ok := s.fetchDataset(w, r)
	if !ok {
		return
	}
	current := make([]string, 0, len(d.GetResources()))
	for _, res := range d.GetResources() {
		current = append(current, res.GetId())
	}
	if len(ids) != len(current) {
		writeMessage(w, http.StatusBadRequest, "All resources must be reordered, you provided "+
			strconv.Itoa(len(ids))+" out of "+strconv.Itoa(len(current)))
		return
	}
	if !sameSet(ids, current) {
		quoted := make([]string, len(current))
		for i, id := range current {
			quoted[i] = "'" + id + "'"
		}
		writeMessage(w, http.StatusBadRequest, "Resource ids must match existing ones in dataset, ie: {"+strings.Join(quoted, ", ")+"}")
		return
	}
	resp, err := s.catalog.ReorderResources(r.Context(), &catalogv1.ReorderResourcesRequest{
		Dataset:     d.GetId(),
		ResourceIds: ids,
	})
	if err != nil {
		s.fail(w, r, err, kindResource)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.BeginArray()
		for _, res := range resp.GetResources() {
			s.render.Resource(jw, res)
		}
		jw.EndArray()
	})
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// resourceID reads the {rid} path parameter, answering the router's 404
// when it is not a UUID (Werkzeug's uuid converter would not match).
func (s *Server) resourceID(w http.ResponseWriter, r *http.Request) (string, bool) {
	rid := r.PathValue("rid")
	if !ids.IsCanonicalUUID(rid) {
		s.notFound(w, r, msgNotFound)
		return "", false
	}
	return strings.ToLower(rid), true
}

// getResource is GET /api/1/datasets/{dataset}/resources/{rid}/.
func (s *Server) getResource(w http.ResponseWriter, r *http.Request) {
	rid, ok := s.resourceID(w, r)
	if !ok {
		return
	}
	d, ok := s.fetchDataset(w, r)
	if !ok {
		return
	}
	for _, res := range d.GetResources() {
		if strings.EqualFold(res.GetId(), rid) {
			s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Resource(jw, res) })
			s.views.viewed(r, "resource", res.GetId(), d.GetId(), eventsv1.ViewChannel_VIEW_CHANNEL_API)
			return
		}
	}
	s.notFound(w, r, msgResourceMissing)
}

// updateResource is PUT /api/1/datasets/{dataset}/resources/{rid}/.
func (s *Server) updateResource(w http.ResponseWriter, r *http.Request) {
	rid, ok := s.resourceID(w, r)
	if !ok || !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseResourceUpdate(body)
	if err != nil {
		s.writeBodyError(w, err, kindResource)
		return
	}
	resp, err := s.catalog.UpdateResource(r.Context(), &catalogv1.UpdateResourceRequest{
		Dataset:    r.PathValue("dataset"),
		ResourceId: rid,
		Input:      in.Input,
		UpdateMask: &fieldmaskpb.FieldMask{Paths: in.Mask},
	})
	if err != nil {
		s.fail(w, r, err, kindResource)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Resource(jw, resp.GetResource()) })
}

// deleteResource is DELETE /api/1/datasets/{dataset}/resources/{rid}/.
func (s *Server) deleteResource(w http.ResponseWriter, r *http.Request) {
	rid, ok := s.resourceID(w, r)
	if !ok || !requireAuth(w, r) {
		return
	}
	_, err := s.catalog.DeleteResource(r.Context(), &catalogv1.DeleteResourceRequest{
		Dataset:    r.PathValue("dataset"),
		ResourceId: rid,
	})
	if err != nil {
		s.fail(w, r, err, kindResource)
		return
	}
	writeNoContent(w)
}

// resourceRedirect is GET /api/1/datasets/r/{rid}: the stable link of a
// resource, redirecting (302) to its current URL.
func (s *Server) resourceRedirect(w http.ResponseWriter, r *http.Request) {
	rid, ok := s.resourceID(w, r)
	if !ok {
		return
	}
	resp, err := s.catalog.GetResource(r.Context(), &catalogv1.GetResourceRequest{ResourceId: rid})
	if status.Code(err) == codes.NotFound {
		writeMessage(w, http.StatusNotFound, "Resource not found")
		return
	}
	if err != nil {
		s.fail(w, r, err, kindResource)
		return
	}
	target := strings.TrimSpace(resp.GetResource().GetUrl())
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusFound)
	// A remote resource's download is this redirect (a stored file's is
	// counted when /resources/… serves it).
	if resp.GetResource().GetFiletype() != "file" {
		s.files.downloads.record(r, &storagev1.StoredFile{ResourceId: resp.GetResource().GetId(), DatasetId: resp.GetDatasetId()}, 0)
	}
}
