package api

import (
	"net/http"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// serveReferenceList answers one of the catalog's reference lists. They
// are fetched on each request (a cheap call) so that the caller's API key
// is checked as on every udata endpoint.
func (s *Server) serveReferenceList(w http.ResponseWriter, r *http.Request, render func(*udata.Writer, *catalogv1.GetReferenceListsResponse)) {
	resp, err := s.catalog.GetReferenceLists(r.Context(), &catalogv1.GetReferenceListsRequest{})
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { render(jw, resp) })
}

// licenses is GET /api/1/datasets/licenses/.
func (s *Server) licenses(w http.ResponseWriter, r *http.Request) {
	s.serveReferenceList(w, r, func(jw *udata.Writer, l *catalogv1.GetReferenceListsResponse) {
		s.render.Licenses(jw, l.GetLicenses())
	})
}

// frequencies is GET /api/1/datasets/frequencies/.
func (s *Server) frequencies(w http.ResponseWriter, r *http.Request) {
	s.serveReferenceList(w, r, func(jw *udata.Writer, l *catalogv1.GetReferenceListsResponse) {
		s.render.Labels(jw, l.GetFrequencies())
	})
}

// resourceTypes is GET /api/1/datasets/resource_types/.
func (s *Server) resourceTypes(w http.ResponseWriter, r *http.Request) {
	s.serveReferenceList(w, r, func(jw *udata.Writer, l *catalogv1.GetReferenceListsResponse) {
		s.render.Labels(jw, l.GetResourceTypes())
	})
}
