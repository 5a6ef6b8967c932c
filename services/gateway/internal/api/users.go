package api

import (
	"net/http"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// getUser is GET /api/1/users/{user}/ (410 when inactive or deleted).
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	resp, err := s.catalog.GetUser(r.Context(), &catalogv1.GetUserRequest{User: r.PathValue("user")})
	if err != nil {
		s.fail(w, r, err, kindUser)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.User(jw, resp.GetUser()) })
}
