// Package httpx holds the HTTP plumbing shared by Relais servers: JSON
// responses, the middleware stack (OpenTelemetry, access log, panic
// recovery) and graceful serving.
package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// JSON writes v as a JSON response with the given status. HTML characters
// are not escaped (data.gouv.fr does not escape them either). A value that
// cannot be encoded is a programming error: JSON panics, and Recover turns
// the panic into a logged 500.
func JSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Errorf("httpx: encode %T as JSON: %w", v, err))
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client went away: nothing to do
}

// ErrorBody is the body of data.gouv.fr's API errors.
type ErrorBody struct {
	Message string `json:"message"`
}

// Error writes {"message": message} with the given status.
func Error(w http.ResponseWriter, status int, message string) {
	JSON(w, status, ErrorBody{Message: message})
}
