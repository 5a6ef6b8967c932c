package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxBodyBytes bounds a JSON request body. udata's descriptions are at
// most 100 000 characters; a dataset with many resources stays far below.
const maxBodyBytes = 8 << 20

// hasKey reports whether the caller sent an API key.
func hasKey(r *http.Request) bool {
	return r.Header.Get("X-API-KEY") != ""
}

// requireAuth answers udata's 401 when the caller sent no credentials, as
// @api.secure does; a bad key is the catalog's to refuse.
func requireAuth(w http.ResponseWriter, r *http.Request) bool {
	if hasKey(r) {
		return true
	}
	writeUnauthorized(w, msgUnauthorized)
	return false
}

// readJSON reads a JSON body as udata's api.validate expects it: a JSON
// content type, then valid JSON. It answers the 400 itself and returns
// false on failure.
func readJSON(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if !strings.Contains(r.Header.Get("Content-Type"), "application/json") {
		writeContentTypeError(w)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeMessage(w, http.StatusRequestEntityTooLarge, msgTooLarge)
			return nil, false
		}
		writeMessage(w, http.StatusBadRequest, msgBadRequest)
		return nil, false
	}
	if !json.Valid(body) {
		writeMessage(w, http.StatusBadRequest, decodeErrorMessage(body))
		return nil, false
	}
	return body, true
}

// decodeErrorMessage words a JSON syntax error as Flask does
// ("Failed to decode JSON object: Expecting value: line 1 column 1 (char 0)").
func decodeErrorMessage(body []byte) string {
	var v any
	err := json.Unmarshal(body, &v)
	var syn *json.SyntaxError
	offset := int64(0)
	if errors.As(err, &syn) {
		offset = syn.Offset - 1
		if strings.HasPrefix(syn.Error(), "unexpected end") {
			offset = syn.Offset
		}
	}
	if offset < 0 {
		offset = 0
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		offset = 0
	}
	line, col := 1, 1
	for i := int64(0); i < offset && i < int64(len(body)); i++ {
		if body[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	reason := "Expecting value"
	if err != nil && syn == nil {
		reason = "Invalid JSON"
	}
	return "Failed to decode JSON object: " + reason + ": line " + strconv.Itoa(line) + " column " + strconv.Itoa(col) + " (char " + strconv.FormatInt(offset, 10) + ")"
}
