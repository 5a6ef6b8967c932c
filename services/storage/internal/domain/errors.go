package domain

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Reasons of refused requests, carried to the gateway in a
// google.rpc.ErrorInfo (see relais/storage/v1/storage.proto).
const (
	ReasonExtensionNotAllowed = "EXTENSION_NOT_ALLOWED"
	ReasonHTMLContent         = "HTML_CONTENT"
	ReasonChunkSizeMismatch   = "CHUNK_SIZE_MISMATCH"
	ReasonSizeMismatch        = "SIZE_MISMATCH"
	ReasonFileTooLarge        = "FILE_TOO_LARGE"
	ReasonMissingParts        = "MISSING_PARTS"
	ReasonUploadMismatch      = "UPLOAD_MISMATCH"
	ReasonUploadBusy          = "UPLOAD_BUSY"
	ReasonUploadNotFound      = "UPLOAD_NOT_FOUND"
	ReasonInvalidRequest      = "INVALID_REQUEST"
	ReasonQuotaExceeded       = "QUOTA_EXCEEDED"
)

// udata's messages.
const (
	// MsgExtensionNotAllowed is udata's message without the URL of the
	// list, which the gateway appends (it knows the public root).
	MsgExtensionNotAllowed = "This file type is not allowed.The allowed file type list is available at "
	// ExtensionsPath is the API path of the allowed extensions list.
	ExtensionsPath       = "/api/1/datasets/extensions/"
	MsgHTMLContent       = "Incorrect file content type: HTML"
	MsgChunkSizeMismatch = "Chunk size mismatch"
)

// Error is a refused request: a reason from the list above, a message for
// the caller and optional details.
type Error struct {
	Reason   string
	Message  string
	Metadata map[string]string
}

func (e *Error) Error() string { return e.Message }

// Sentinel errors that are not refusals of the request's content.
var (
	// ErrNotFound: no stored file has this key.
	ErrNotFound = errors.New("file not found")
	// ErrNotSupported: the blob backend cannot do this (presign on fs).
	ErrNotSupported = errors.New("not supported by the blob backend")
	// ErrOutOfRange: a download range starts at or past the end.
	ErrOutOfRange = errors.New("range starts at or past the end of the file")
	// ErrUnavailable: a dependency (the event bus) is not configured.
	ErrUnavailable = errors.New("unavailable")
)

// Invalid returns a refusal of a malformed field.
func Invalid(format string, args ...any) error {
	return &Error{Reason: ReasonInvalidRequest, Message: fmt.Sprintf(format, args...)}
}

// ExtensionNotAllowed is udata's refusal of a file type.
func ExtensionNotAllowed(ext string) error {
	return &Error{
		Reason:   ReasonExtensionNotAllowed,
		Message:  MsgExtensionNotAllowed + ExtensionsPath,
		Metadata: map[string]string{"extension": ext},
	}
}

// HTMLContent is udata's refusal of HTML.
func HTMLContent(mime string) error {
	return &Error{Reason: ReasonHTMLContent, Message: MsgHTMLContent, Metadata: map[string]string{"mime": mime}}
}

// ChunkSizeMismatch is udata's refusal of a part whose size is not the
// declared chunk size.
func ChunkSizeMismatch(declared int64) error {
	return &Error{
		Reason:   ReasonChunkSizeMismatch,
		Message:  MsgChunkSizeMismatch,
		Metadata: map[string]string{"chunk_size": strconv.FormatInt(declared, 10)},
	}
}

// SizeMismatch refuses an upload whose stream did not carry the declared
// number of bytes.
func SizeMismatch(declared int64) error {
	return &Error{
		Reason:   ReasonSizeMismatch,
		Message:  fmt.Sprintf("upload size mismatch: the stream did not carry the declared %d bytes", declared),
		Metadata: map[string]string{"size": strconv.FormatInt(declared, 10)},
	}
}

// FileTooLarge refuses a file over the maximum size.
func FileTooLarge(max int64) error {
	return &Error{
		Reason:   ReasonFileTooLarge,
		Message:  fmt.Sprintf("file too large: the maximum is %d bytes", max),
		Metadata: map[string]string{"max_size": strconv.FormatInt(max, 10)},
	}
}

// QuotaExceeded refuses an upload that would bring an organization's
// stored bytes over its quota; used is what its files take already.
func QuotaExceeded(used, quota int64) error {
	return &Error{
		Reason:  ReasonQuotaExceeded,
		Message: fmt.Sprintf("Organization quota exceeded (used %d of %d bytes)", used, quota),
		Metadata: map[string]string{
			"used_bytes":  strconv.FormatInt(used, 10),
			"quota_bytes": strconv.FormatInt(quota, 10),
		},
	}
}

// MissingParts refuses to complete a chunked upload that lacks parts.
func MissingParts(missing []int) error {
	sort.Ints(missing)
	parts := make([]string, len(missing))
	for i, m := range missing {
		parts[i] = strconv.Itoa(m)
	}
	shown, listed := strings.Join(parts, ","), parts
	if len(parts) > 20 {
		shown = strings.Join(parts[:20], ",") + ",…"
	}
	if len(listed) > 200 { // metadata travels in trailers: keep it small
		listed = listed[:200]
	}
	return &Error{
		Reason:  ReasonMissingParts,
		Message: fmt.Sprintf("Missing parts: %d part(s) not received (%s)", len(missing), shown),
		Metadata: map[string]string{
			"missing":       strings.Join(listed, ","),
			"missing_count": strconv.Itoa(len(missing)),
		},
	}
}

// UploadMismatch refuses a chunked upload call that disagrees with the
// parts already received.
func UploadMismatch(format string, args ...any) error {
	return &Error{Reason: ReasonUploadMismatch, Message: fmt.Sprintf(format, args...)}
}

// UploadBusy refuses a call on a chunked upload that another call is
// completing.
func UploadBusy(uuid string) error {
	return &Error{Reason: ReasonUploadBusy, Message: fmt.Sprintf("chunked upload %s is being completed by another call", uuid)}
}

// UploadNotFound refuses to complete an upload of which no part was
// received (or whose parts were collected).
func UploadNotFound(uuid string) error {
	return &Error{Reason: ReasonUploadNotFound, Message: fmt.Sprintf("no part received for chunked upload %s", uuid)}
}

// ReasonOf returns err's reason, or "".
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}
