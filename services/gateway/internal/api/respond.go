package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// writeJSON renders a body with a pooled writer and sends it.
func (s *Server) writeJSON(w http.ResponseWriter, status int, render func(w *udata.Writer)) {
	jw := s.writers.Get().(*udata.Writer)
	jw.Reset()
	render(jw)
	if mw, ok := w.(*maskWriter); ok && status == http.StatusOK {
		mw.send(jw.Bytes())
	} else {
		sendJSON(w, status, jw.Bytes())
	}
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

// maskWriter marks a request to an endpoint udata marshals with
// flask-restx's @api.marshal_with that carries an X-Fields header: the
// 200 body writeJSON renders is filtered by the mask before it is sent.
// Errors (raised by udata's handlers before marshalling) are not masked.
type maskWriter struct {
	http.ResponseWriter
	header string
}

// masked wraps a handler of a marshal_with endpoint. Requests without
// X-Fields (or with an empty one, where marshal_with keeps its default
// mask) go through untouched.
func (s *Server) masked(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		values := r.Header["X-Fields"]
		if len(values) == 0 || len(values) == 1 && values[0] == "" {
			h(w, r)
			return
		}
		// A repeated header reaches WSGI joined with commas.
		h(&maskWriter{ResponseWriter: w, header: strings.Join(values, ",")}, r)
	}
}

// unmasked returns the ResponseWriter under a maskWriter, for the routes
// sharing a masked pattern whose udata handler does not marshal.
func unmasked(w http.ResponseWriter) http.ResponseWriter {
	if mw, ok := w.(*maskWriter); ok {
		return mw.ResponseWriter
	}
	return w
}

// send applies the mask to body and sends it, or answers flask-restx's
// 400 when the mask does not parse or does not fit the data.
func (mw *maskWriter) send(body []byte) {
	m, err := udata.ParseMask(mw.header)
	if err != nil {
		writeMessage(mw.ResponseWriter, http.StatusBadRequest, err.Error())
		return
	}
	if m == nil {
		sendJSON(mw.ResponseWriter, http.StatusOK, body)
		return
	}
	jw := udata.NewWriter(len(body))
	if err := jw.ApplyMask(body, m); err != nil {
		if err == udata.ErrMaskInconsistent {
			writeMessage(mw.ResponseWriter, http.StatusBadRequest, err.Error())
			return
		}
		sendJSON(mw.ResponseWriter, http.StatusOK, body) // cannot happen: writeJSON's bodies are valid JSON
		return
	}
	sendJSON(mw.ResponseWriter, http.StatusOK, jw.Bytes())
}
