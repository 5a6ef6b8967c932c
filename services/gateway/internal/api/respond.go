package api

import (
	"net/http"
	"strconv"

	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// writeJSON renders a body with a pooled writer and sends it.
func (s *Server) writeJSON(w http.ResponseWriter, status int, render func(w *udata.Writer)) {
	jw := s.writers.Get().(*udata.Writer)
	jw.Reset()
	render(jw)
	sendJSON(w, status, jw.Bytes())
	if cap(jw.Bytes()) <= 1<<20 { // keep small buffers only
		s.writers.Put(jw)
	}
}

func sendJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client went away: nothing left to do
}

// writeMessage sends udata's {"message": msg}.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	jw := udata.NewWriter(len(msg) + 32)
	jw.BeginObject()
	jw.Key("message")
	jw.String(msg)
	jw.EndObject()
	sendJSON(w, status, jw.Bytes())
}

// writeNoContent answers 204 with udata's empty body.
func writeNoContent(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}
