package api

import (
	"net/http"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// getSite is GET /api/1/site/.
func (s *Server) getSite(w http.ResponseWriter, r *http.Request) {
	resp, err := s.catalog.GetSiteMetrics(r.Context(), &catalogv1.GetSiteMetricsRequest{})
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Site(jw, s.site, resp.GetMetrics()) })
}
