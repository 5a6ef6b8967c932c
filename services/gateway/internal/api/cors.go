package api

import (
	"net/http"
	"strings"
)

// cors lets browser applications on other origins call the API, as
// data.gouv.fr's does (udata answers "*" to any origin): it marks the
// response and answers preflight requests. It reports whether the request
// was a preflight, already answered.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Origin") == "" {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	allowed := s.allowedMethods(r)
	if len(allowed) == 0 {
		return false // let the 404 happen
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(allowed, ", "))
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Set("Access-Control-Max-Age", "21600")
	h.Set("Allow", strings.Join(allowed, ", "))
	w.WriteHeader(http.StatusOK)
	return true
}
