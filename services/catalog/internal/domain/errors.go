package domain

import (
	"errors"
	"strings"
)

// Sentinel errors. Callers wrap them with context; the gRPC layer maps them
// to status codes with errors.Is/As.
var (
	// ErrNotFound: unknown object, or one the caller may not see.
	ErrNotFound = errors.New("not found")
	// ErrDeleted: the object exists but is soft-deleted (HTTP 410).
	ErrDeleted = errors.New("deleted")
	// ErrPermissionDenied: the caller may not do this.
	ErrPermissionDenied = errors.New("You do not have the permission to modify that object.")
	// ErrAlreadyExists: a unique value (email, member) is taken.
	ErrAlreadyExists = errors.New("already exists")
	// ErrFailedPrecondition: the object is not in a state allowing the change
	// (e.g. a token already revoked).
	ErrFailedPrecondition = errors.New("failed precondition")
)

// Authentication errors carry udata's exact messages.
var (
	ErrInvalidToken = &AuthError{Message: "Invalid API token"}
	ErrRevokedToken = &AuthError{Message: "Revoked API token"}
	ErrExpiredToken = &AuthError{Message: "Expired API token"}
	ErrInactiveUser = &AuthError{Message: "Inactive user"}
	// ErrAuthRequired: the call needs a caller and none was given.
	ErrAuthRequired = &AuthError{Message: "Unauthorized"}
)

// AuthError is an authentication failure (UNAUTHENTICATED).
type AuthError struct{ Message string }

func (e *AuthError) Error() string { return e.Message }

// FieldViolation is one invalid field: Field is the udata JSON key
// ("title", "resources.0.url"), Message udata's wording.
type FieldViolation struct {
	Field   string
	Message string
}

// ValidationError lists every invalid field of an input.
type ValidationError struct {
	Violations []FieldViolation
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid input:")
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(" ")
		b.WriteString(v.Field)
		b.WriteString(": ")
		b.WriteString(v.Message)
	}
	return b.String()
}

// Violations collects field violations; its Err is nil when there are none.
type Violations struct{ list []FieldViolation }

// Add records a violation of field.
func (v *Violations) Add(field, message string) {
	v.list = append(v.list, FieldViolation{Field: field, Message: message})
}

// Merge appends the violations of err (a *ValidationError) under prefix
// ("resources.0."); any other non-nil error is recorded under prefix alone.
func (v *Violations) Merge(prefix string, err error) {
	if err == nil {
		return
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, fv := range ve.Violations {
			v.Add(prefix+fv.Field, fv.Message)
		}
		return
	}
	v.Add(strings.TrimSuffix(prefix, "."), err.Error())
}

// Err returns a *ValidationError, or nil without violations.
func (v *Violations) Err() error {
	if len(v.list) == 0 {
		return nil
	}
	return &ValidationError{Violations: v.list}
}

// Invalid returns a ValidationError with a single violation.
func Invalid(field, message string) error {
	return &ValidationError{Violations: []FieldViolation{{Field: field, Message: message}}}
}
