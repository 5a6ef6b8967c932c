package api

import (
	"errors"
	"net/http"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// extensionsPath is the list of allowed extensions, which the storage
// service's EXTENSION_NOT_ALLOWED message ends with.
const extensionsPath = "/api/1/datasets/extensions/"

// udata's upload messages.
const (
	msgMissingFile       = "Missing file parameter"
	msgChunkSizeMismatch = "Chunk size mismatch"
)

// storageErrorDomain is the ErrorInfo domain of the storage service.
const storageErrorDomain = "relais.storage"

// storageReason returns the reason of a storage refusal, or "".
func storageReason(st *status.Status) string {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == storageErrorDomain {
			return info.GetReason()
		}
	}
	return ""
}

// writeUploadStatus answers udata's upload status body, {"success": ok}
// plus "error" on failure (udata's UploadStatus handler).
func writeUploadStatus(w http.ResponseWriter, code int, errMsg string) {
	jw := udata.NewWriter(len(errMsg) + 48)
	jw.BeginObject()
	if errMsg != "" {
		jw.Key("error")
		jw.String(errMsg)
	}
	jw.Key("success")
	jw.Bool(errMsg == "")
	jw.EndObject()
	sendJSON(w, code, jw.Bytes())
}

// failStorage answers the error of a storage call as udata answers the
// same refusal (see the table in relais/storage/v1/storage.proto).
func (s *Server) failStorage(w http.ResponseWriter, r *http.Request, err error) {
	var ce chunkedError
	chunked := errors.As(err, &ce)
	if chunked {
		err = ce.err
	}
	var ue *uploadError
	if errors.As(err, &ue) {
		ue.write(w)
		return
	}
	var se *spoolError
	if errors.As(err, &se) {
		s.log.ErrorContext(r.Context(), "upload spool failed", "path", r.URL.Path, "err", err)
		writeMessage(w, http.StatusInternalServerError, msgInternalError)
		return
	}
	st, ok := status.FromError(err)
	if !ok {
		// Reading the client's body failed: it went away or sent a
		// malformed multipart body. Nothing was stored.
		s.log.InfoContext(r.Context(), "upload body unreadable", "path", r.URL.Path, "err", err)
		writeMessage(w, http.StatusBadRequest, msgBadRequest)
		return
	}
	msg := st.Message()
	switch storageReason(st) {
	case "EXTENSION_NOT_ALLOWED":
		// The storage service does not know the public URL: make the
		// list's path absolute, as udata's message has it.
		if strings.HasSuffix(msg, extensionsPath) {
			msg = strings.TrimSuffix(msg, extensionsPath) + s.files.extensionsP
		}
		writeMessage(w, http.StatusBadRequest, msg)
		return
	case "HTML_CONTENT":
		writeMessage(w, http.StatusUnsupportedMediaType, msg)
		return
	case "FILE_TOO_LARGE":
		writeMessage(w, http.StatusRequestEntityTooLarge, msg)
		return
	case "QUOTA_EXCEEDED":
		if chunked {
			writeUploadStatus(w, http.StatusRequestEntityTooLarge, msg)
		} else {
			writeMessage(w, http.StatusRequestEntityTooLarge, msg)
		}
		return
	case "UPLOAD_BUSY":
		writeUploadStatus(w, http.StatusConflict, msg)
		return
	case "CHUNK_SIZE_MISMATCH", "SIZE_MISMATCH", "MISSING_PARTS", "UPLOAD_MISMATCH", "UPLOAD_NOT_FOUND", "INVALID_REQUEST":
		writeUploadStatus(w, http.StatusBadRequest, msg)
		return
	}
	switch st.Code() {
	case codes.NotFound:
		s.notFound(w, r, msgNotFound)
	case codes.OutOfRange:
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
	case codes.Canceled:
		// The client went away: there is no one to answer.
		writeMessage(w, http.StatusBadRequest, msgBadRequest)
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		s.log.WarnContext(r.Context(), "storage unavailable", "path", r.URL.Path, "code", st.Code().String(), "err", msg)
		writeMessage(w, http.StatusServiceUnavailable, msgUnavailable)
	case codes.Unauthenticated:
		s.log.ErrorContext(r.Context(), "storage refused the service token: check storage.service_token", "path", r.URL.Path)
		writeMessage(w, http.StatusInternalServerError, msgInternalError)
	default:
		s.log.ErrorContext(r.Context(), "storage call failed", "path", r.URL.Path, "code", st.Code().String(), "err", msg)
		writeMessage(w, http.StatusInternalServerError, msgInternalError)
	}
}

// chunkedError marks the error of a chunked upload's call (a part, or the
// final call), answered {"success": false, "error": ...} where a single
// upload's is {"message": ...}.
type chunkedError struct{ err error }

func (e chunkedError) Error() string { return e.err.Error() }
func (e chunkedError) Unwrap() error { return e.err }

// asChunked marks err, if any, as a chunked upload's.
func asChunked(err error) error {
	if err == nil {
		return nil
	}
	return chunkedError{err}
}

// uploadError is a refusal the gateway decides itself while reading an
// upload form.
type uploadError struct {
	code int
	// status: udata's {"success": false, "error": msg}; else {"message": msg}.
	status bool
	msg    string
	// arg, when set, makes a reqparse error {"errors": {arg: msg}, "message": …}.
	arg string
}

func (e *uploadError) Error() string { return e.msg }

func (e *uploadError) write(w http.ResponseWriter) {
	switch {
	case e.arg != "":
		writeArgError(w, e.arg, e.msg)
	case e.status:
		writeUploadStatus(w, e.code, e.msg)
	default:
		writeMessage(w, e.code, e.msg)
	}
}
