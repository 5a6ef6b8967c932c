package portal

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// relayAPI is /espace/api/…: the agent's scripts (the chunked upload, the
// previews of a private dataset) call the API as the signed-in agent
// without ever holding their token. The request goes to the API handler
// in-process as /api/…, with the session's token in X-API-KEY and without
// the browser's cookies; a call that changes anything must carry the
// session's CSRF token in X-CSRF-Token (a header no other site can make a
// browser send here).
func (p *Portal) relayAPI(w http.ResponseWriter, r *http.Request) {
	if p.opts.API == nil {
		p.notFoundPage(w, r)
		return
	}
	sess, err := p.session(w, r)
	if err != nil {
		w.Header().Set("Retry-After", "5")
		http.Error(w, `{"message": "Service momentanément indisponible."}`, http.StatusServiceUnavailable)
		return
	}
	if sess == nil {
		http.Error(w, `{"message": "Session expirée : reconnectez-vous."}`, http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !validCSRFHeader(r, sess.csrf) {
		http.Error(w, `{"message": "Jeton CSRF absent ou invalide."}`, http.StatusForbidden)
		return
	}
	r2 := withPath(r, "/api/"+strings.TrimPrefix(r.URL.Path, "/espace/api/"))
	r2.Header = r.Header.Clone()
	r2.Header.Del("Cookie")
	r2.Header.Del(csrfHeader)
	r2.Header.Set("X-API-KEY", sess.token)
	w.Header().Set("Cache-Control", "no-store")
	p.opts.API.ServeHTTP(w, r2)
}

// validCSRFHeader is validCSRF for scripts: the header only, so that the
// body (a file) is never read as a form here.
func validCSRFHeader(r *http.Request, want string) bool {
	got := r.Header.Get(csrfHeader)
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
