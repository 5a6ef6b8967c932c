package api

import (
	"net/http"
	"slices"

	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// allowedExtensions is GET /api/1/datasets/extensions/: the extensions
// uploads may have, sorted (udata: sorted(ALLOWED_RESOURCES_EXTENSIONS)).
func (s *Server) allowedExtensions(w http.ResponseWriter, r *http.Request) {
	if !s.files.available(w) {
		return
	}
	resp, err := s.files.client.ListAllowedExtensions(s.files.ctx(r.Context()), &storagev1.ListAllowedExtensionsRequest{})
	if err != nil {
		s.failStorage(w, r, err)
		return
	}
	list := slices.Sorted(slices.Values(resp.GetExtensions()))
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { jw.Strings(list) })
}
