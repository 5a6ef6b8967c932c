package api

import (
	"net/http"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// getMe is GET /api/1/me/.
func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	resp, err := s.catalog.GetMe(r.Context(), &catalogv1.GetMeRequest{})
	if err != nil {
		s.fail(w, r, err, kindUser)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.User(jw, resp.GetUser()) })
}

// updateMe is PUT /api/1/me/.
func (s *Server) updateMe(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseMe(body)
	if err != nil {
		s.writeBodyError(w, err, kindUser)
		return
	}
	resp, err := s.catalog.UpdateMe(r.Context(), &catalogv1.UpdateMeRequest{
		User:       in.User,
		UpdateMask: &fieldmaskpb.FieldMask{Paths: in.Mask},
	})
	if err != nil {
		s.fail(w, r, err, kindUser)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.User(jw, resp.GetUser()) })
}

// listAPITokens is GET /api/1/me/api_tokens/: a plain list.
func (s *Server) listAPITokens(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	resp, err := s.catalog.ListApiTokens(r.Context(), &catalogv1.ListApiTokensRequest{})
	if err != nil {
		s.fail(w, r, err, kindToken)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.BeginArray()
		for _, t := range resp.GetTokens() {
			s.render.APIToken(jw, t, "")
		}
		jw.EndArray()
	})
}

// createAPIToken is POST /api/1/me/api_tokens/: 201 with the plaintext
// token, shown this once.
func (s *Server) createAPIToken(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	var body []byte
	if r.ContentLength != 0 {
		var ok bool
		if body, ok = readJSON(w, r); !ok {
			return
		}
	}
	req, err := udata.ParseAPIToken(body)
	if err != nil {
		s.writeBodyError(w, err, kindToken)
		return
	}
	resp, err := s.catalog.CreateApiToken(r.Context(), req)
	if err != nil {
		s.fail(w, r, err, kindToken)
		return
	}
	s.writeJSON(w, http.StatusCreated, func(jw *udata.Writer) { s.render.APIToken(jw, resp.GetToken(), resp.GetPlaintext()) })
}

// revokeAPIToken is DELETE /api/1/me/api_tokens/{id}/ (204; 410 when
// already revoked).
func (s *Server) revokeAPIToken(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	if _, err := s.catalog.RevokeApiToken(r.Context(), &catalogv1.RevokeApiTokenRequest{Id: r.PathValue("id")}); err != nil {
		s.fail(w, r, err, kindToken)
		return
	}
	writeNoContent(w)
}
