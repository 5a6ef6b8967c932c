package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// The /api/2/…/extras/ endpoints edit a dataset's or a resource's extras
// in place: GET returns them, PUT merges an object (a null value deletes
// its key), DELETE takes a list of keys and answers 204.

func (s *Server) getDatasetExtras(w http.ResponseWriter, r *http.Request) {
	d, ok := s.fetchDataset(w, r)
	if !ok {
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { jw.RawObject(d.GetExtrasJson(), "{}") })
}

func (s *Server) updateDatasetExtras(w http.ResponseWriter, r *http.Request) {
	s.mergeExtras(w, r, "")
}

func (s *Server) deleteDatasetExtras(w http.ResponseWriter, r *http.Request) {
	s.deleteExtras(w, r, "")
}

func (s *Server) getResourceExtras(w http.ResponseWriter, r *http.Request) {
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
			s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { jw.RawObject(res.GetExtrasJson(), "{}") })
			return
		}
	}
	s.notFound(w, r, msgResourceMissing)
}

func (s *Server) updateResourceExtras(w http.ResponseWriter, r *http.Request) {
	if rid, ok := s.resourceID(w, r); ok {
		s.mergeExtras(w, r, rid)
	}
}

func (s *Server) deleteResourceExtras(w http.ResponseWriter, r *http.Request) {
	if rid, ok := s.resourceID(w, r); ok {
		s.deleteExtras(w, r, rid)
	}
}

// mergeExtras merges the body (a JSON object) into the extras of the
// dataset, or of its resource rid, and answers the resulting extras.
func (s *Server) mergeExtras(w http.ResponseWriter, r *http.Request, rid string) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '{' {
		writeMessage(w, http.StatusBadRequest, "Wrong payload format, dict expected")
		return
	}
	resp, err := s.catalog.UpdateExtras(r.Context(), &catalogv1.UpdateExtrasRequest{
		Dataset:    r.PathValue("dataset"),
		ResourceId: rid,
		MergeJson:  body,
	})
	if err != nil {
		s.fail(w, r, err, extrasKind(rid))
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { jw.RawObject(resp.GetExtrasJson(), "{}") })
}

// deleteExtras deletes the keys the body lists (a JSON list of strings).
func (s *Server) deleteExtras(w http.ResponseWriter, r *http.Request, rid string) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	var keys []string
	if err := json.Unmarshal(body, &keys); err != nil || keys == nil {
		writeMessage(w, http.StatusBadRequest, "Wrong payload format, list expected")
		return
	}
	_, err := s.catalog.UpdateExtras(r.Context(), &catalogv1.UpdateExtrasRequest{
		Dataset:    r.PathValue("dataset"),
		ResourceId: rid,
		DeleteKeys: keys,
	})
	if err != nil {
		s.fail(w, r, err, extrasKind(rid))
		return
	}
	writeNoContent(w)
}

func extrasKind(rid string) kind {
	if rid != "" {
		return kindResource
	}
	return kindDataset
}
