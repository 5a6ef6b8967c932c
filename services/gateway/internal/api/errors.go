package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// udata's (Werkzeug's, flask-restx's) messages.
const (
	msgNotFound         = "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
	msgUnauthorized     = "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."
	msgForbidden        = "You do not have the permission to modify that object."
	msgMethodNotAllowed = "The method is not allowed for the requested URL."
	msgBadRequest       = "The browser (or proxy) sent a request that this server could not understand."
	msgTooLarge         = "The data value transmitted exceeds the capacity limit."
	msgInternalError    = "Internal Server Error"
	msgUnavailable      = "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later."
	msgInputInvalid     = "Input payload validation failed"
	msgInvalidToken     = "Invalid API token"
	msgResourceMissing  = "Resource does not exist"
	msgExtrasKeyMissing = "Key not found in existing extras"
	msgRemoteOnly       = "This endpoint only supports remote resources"
)

// reasonDeleted is the catalog's ErrorInfo reason for soft-deleted objects.
const reasonDeleted = "DELETED"

// kind is the sort of object a request is about: it picks the 410 message
// and the shape of validation errors.
type kind int

const (
	kindDataset kind = iota
	kindResource
	kindOrganization
	kindUser
	kindToken
	kindReuse
	kindFollow // a follow: errors are about the followed object
)

func (k kind) deletedMessage() string {
	switch k {
	case kindOrganization:
		return "Organization has been deleted"
	case kindUser:
		return "User has been deleted"
	case kindToken:
		return "This API token has already been revoked"
	case kindReuse:
		return "This reuse has been deleted"
	}
	return "Dataset has been deleted"
}

// modelErrors reports whether validation errors take the shape of udata's
// model validation (organizations, users, reuses: {"errors":{"f":"msg"},
// "message":"msg"}) rather than its forms' (datasets, resources:
// {"errors":{"f":["msg"]}}).
func (k kind) modelErrors() bool {
	return k == kindOrganization || k == kindUser || k == kindToken || k == kindReuse
}

// fail answers the error of a catalog call as udata would.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, k kind) {
	st, ok := status.FromError(err)
	if !ok {
		s.log.ErrorContext(r.Context(), "catalog call failed", "path", r.URL.Path, "err", err)
		writeMessage(w, http.StatusInternalServerError, msgInternalError)
		return
	}
	switch st.Code() {
	case codes.NotFound:
		if hasReason(st, reasonDeleted) {
			writeMessage(w, http.StatusGone, k.deletedMessage())
			return
		}
		msg := msgNotFound
		switch {
		case k == kindResource && strings.HasPrefix(st.Message(), "resource "):
			msg = msgResourceMissing
		case k == kindResource && strings.HasPrefix(st.Message(), "extras key "):
			msg = msgExtrasKeyMissing
		}
		s.notFound(w, r, msg)
	case codes.PermissionDenied:
		writeMessage(w, http.StatusForbidden, msgForbidden)
	case codes.Unauthenticated:
		if !hasKey(r) {
			writeUnauthorized(w, msgUnauthorized)
			return
		}
		writeUnauthorized(w, st.Message())
	case codes.InvalidArgument:
		fields := fieldViolations(st)
		if len(fields) == 0 {
			writeMessage(w, http.StatusBadRequest, st.Message())
			return
		}
		s.writeFieldErrors(w, fields, k)
	case codes.AlreadyExists:
		writeMessage(w, http.StatusConflict, st.Message())
	case codes.FailedPrecondition:
		if k == kindToken {
			writeMessage(w, http.StatusGone, k.deletedMessage())
			return
		}
		writeMessage(w, http.StatusBadRequest, st.Message())
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled, codes.ResourceExhausted:
		s.log.WarnContext(r.Context(), "catalog unavailable", "path", r.URL.Path, "code", st.Code().String(), "err", st.Message())
		writeMessage(w, http.StatusServiceUnavailable, msgUnavailable)
	default:
		s.log.ErrorContext(r.Context(), "catalog call failed", "path", r.URL.Path, "code", st.Code().String(), "err", st.Message())
		writeMessage(w, http.StatusInternalServerError, msgInternalError)
	}
}

func hasReason(st *status.Status, reason string) bool {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == reason {
			return true
		}
	}
	return false
}

// fieldError is one invalid field and its message.
type fieldError struct{ field, message string }

func fieldViolations(st *status.Status) []fieldError {
	var out []fieldError
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, fieldError{field: v.GetField(), message: v.GetDescription()})
			}
		}
	}
	return out
}

// writeFieldErrors answers 400 with udata's form shape
// {"errors":{"f":["msg",…]}} for datasets and resources, or its model
// shape {"errors":{"f":"msg"},"message":"msg"} for organizations and users.
func (s *Server) writeFieldErrors(w http.ResponseWriter, fields []fieldError, k kind) {
	errs := make(map[string]any, len(fields))
	for _, f := range fields {
		if k.modelErrors() {
			if _, dup := errs[f.field]; !dup {
				errs[f.field] = f.message
			}
			continue
		}
		list, _ := errs[f.field].([]any)
		errs[f.field] = append(list, f.message)
	}
	s.writeJSON(w, http.StatusBadRequest, func(jw *udata.Writer) {
		jw.BeginObject()
		jw.Key("errors")
		jw.Object(errs)
		if k.modelErrors() {
			jw.Key("message")
			jw.String(fields[0].message)
		}
		jw.EndObject()
	})
}

// writeBodyError answers a body the udata parsers refused.
func (s *Server) writeBodyError(w http.ResponseWriter, err error, k kind) {
	var be *udata.BodyError
	if !errors.As(err, &be) {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(be.Fields) == 0 {
		writeMessage(w, http.StatusBadRequest, be.Message)
		return
	}
	fields := make([]fieldError, 0, len(be.Fields))
	for f, msg := range be.Fields {
		fields = append(fields, fieldError{field: f, message: msg})
	}
	slices.SortFunc(fields, func(a, b fieldError) int { return strings.Compare(a.field, b.field) })
	s.writeFieldErrors(w, fields, k)
}

// writeArgError answers a bad query argument as flask-restx's reqparse:
// {"errors":{"arg":"help message"},"message":"Input payload validation failed"}.
func writeArgError(w http.ResponseWriter, arg, msg string) {
	jw := udata.NewWriter(len(msg) + 96)
	jw.BeginObject()
	jw.Key("errors")
	jw.Object(map[string]any{arg: msg})
	jw.Key("message")
	jw.String(msgInputInvalid)
	jw.EndObject()
	sendJSON(w, http.StatusBadRequest, jw.Bytes())
}

// writeUnauthorized answers 401 with udata's challenge header.
func writeUnauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="uData"`)
	writeMessage(w, http.StatusUnauthorized, msg)
}

// writeContentTypeError is api.validate's answer to a non-JSON body.
func writeContentTypeError(w http.ResponseWriter) {
	sendJSON(w, http.StatusBadRequest, []byte(`{"errors": {"Content-Type": "expecting application/json"}}`))
}
