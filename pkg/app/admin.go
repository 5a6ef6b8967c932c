package app

import (
	"fmt"
	"net/http"
	"strings"
)

// HealthzHandler answers 200 while the process runs (liveness).
func (a *App) HealthzHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
}

// ReadyzHandler answers 200 when every module has started and is Ready,
// and 503 while starting, when a module is not ready, and while draining.
// The gateway mounts it on its public server too.
func (a *App) ReadyzHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if reason := a.notReady(); reason != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, reason)
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// Ready reports whether every module has started and is Ready.
func (a *App) Ready() bool {
	return a.notReady() == ""
}

// notReady returns why the app is not ready, or "".
func (a *App) notReady() string {
	a.mu.Lock()
	ph, started := a.phase, a.started
	a.mu.Unlock()
	switch ph {
	case phaseStarting:
		return "not ready: starting"
	case phaseDraining:
		return "not ready: shutting down"
	}
	var waiting []string
	for _, m := range started {
		if m.Ready != nil && !m.Ready() {
			waiting = append(waiting, m.Name)
		}
	}
	if len(waiting) > 0 {
		return "not ready: " + strings.Join(waiting, ", ")
	}
	return ""
}
