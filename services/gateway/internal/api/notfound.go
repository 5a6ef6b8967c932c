package api

import (
	"net/http"
	"slices"
	"strings"
)

// unmatched answers what no route matches, as Werkzeug and flask-restx
// do: a 308 to the slash form when that one exists, 405 when the path
// exists for other methods (OPTIONS lists them), else 404 with
// suggestions.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/") {
		if s.matchesAny(r, r.URL.Path+"/") {
			s.redirect(w, r, r.URL.EscapedPath()+"/", http.StatusPermanentRedirect)
			return
		}
	}
	if allowed := s.allowedMethods(r); len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusOK)
			return
		}
		writeMessage(w, http.StatusMethodNotAllowed, msgMethodNotAllowed)
		return
	}
	s.notFound(w, r, msgNotFound)
}

// probeMethods are the methods routes are registered with.
func probeMethods() [5]string {
	return [...]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
}

// allowedMethods lists the methods a route accepts on r's path, sorted as
// Werkzeug's Allow header (HEAD and OPTIONS included).
func (s *Server) allowedMethods(r *http.Request) []string {
	var allowed []string
	for _, m := range probeMethods() {
		if s.routed(m, r.URL.Path) {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		return nil
	}
	if slices.Contains(allowed, http.MethodGet) {
		allowed = append(allowed, http.MethodHead)
	}
	allowed = append(allowed, http.MethodOptions)
	slices.Sort(allowed)
	return allowed
}

// matchesAny reports whether some route answers path, whatever its method.
func (s *Server) matchesAny(r *http.Request, path string) bool {
	for _, m := range probeMethods() {
		if s.routed(m, path) {
			return true
		}
	}
	return false
}

// routed reports whether a route (not the catch-all) answers method on path.
func (s *Server) routed(method, path string) bool {
	probe, err := http.NewRequest(method, "http://gateway", nil)
	if err != nil {
		return false
	}
	probe.URL.Path = path
	_, pattern := s.mux.Handler(probe)
	return pattern != "" && pattern != "/"
}

// notFound answers 404 with msg, followed as flask-restx's _help_on_404
// does by the closest routes when some are close enough.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	matches := closeMatches(r.URL.Path, s.ruleKeys, 3, 0.6)
	if len(matches) > 0 {
		rules := make([]string, len(matches))
		for i, m := range matches {
			rules[i] = s.rules[m]
		}
		msg = strings.TrimRight(msg, ".") + ". You have requested this URI [" + r.URL.Path +
			"] but did you mean " + strings.Join(rules, " or ") + " ?"
	}
	writeMessage(w, http.StatusNotFound, msg)
}
