package udata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// BodyError is a request body udata would refuse with a 400: either field
// errors (one message per JSON key) or, when Fields is empty, a message
// about the body as a whole.
type BodyError struct {
	Fields  map[string]string
	Message string
}

func (e *BodyError) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return strings.Join(parts, "; ")
}

// Messages of udata's (WTForms) validators.
const (
	msgNotString  = "Not a valid string value."
	msgNotBool    = "Not a valid boolean value."
	msgNotList    = "Not a valid list."
	msgNotObject  = "Not a valid dict."
	msgNotInteger = "Not a valid integer value."
	msgNotDate    = "Not a valid date value."
	msgNotTime    = "Not a valid datetime value."
)

// body is a decoded JSON object body plus the field errors found so far.
type body struct {
	fields map[string]json.RawMessage
	errs   map[string]string
}

// decodeBody decodes a JSON object. A body that is not JSON, or not an
// object, is a whole-body error.
func decodeBody(data []byte) (*body, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, &BodyError{Message: "Invalid JSON payload: expected an object"}
		}
		return nil, &BodyError{Message: "Failed to decode JSON object: " + err.Error()}
	}
	if fields == nil { // the body was "null"
		return nil, &BodyError{Message: "Invalid JSON payload: expected an object"}
	}
	return &body{fields: fields, errs: map[string]string{}}, nil
}

func (b *body) has(key string) bool {
	_, ok := b.fields[key]
	return ok
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

func (b *body) fail(key, msg string) {
	if _, dup := b.errs[key]; !dup {
		b.errs[key] = msg
	}
}

func (b *body) err() error {
	if len(b.errs) == 0 {
		return nil
	}
	return &BodyError{Fields: b.errs}
}

// str reads a string field; null reads as "" (and ok=true).
func (b *body) str(key string) (s string, present bool) {
	raw, ok := b.fields[key]
	if !ok {
		return "", false
	}
	if isNull(raw) {
		return "", true
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		b.fail(key, msgNotString)
	}
	return s, true
}

// optStr reads a nullable string field: nil for null or absent.
func (b *body) optStr(key string) (*string, bool) {
	raw, ok := b.fields[key]
	if !ok || isNull(raw) {
		return nil, ok
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		b.fail(key, msgNotString)
		return nil, true
	}
	return &s, true
}

func (b *body) boolean(key string) (v bool, present bool) {
	raw, ok := b.fields[key]
	if !ok {
		return false, false
	}
	if isNull(raw) {
		return false, true
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		b.fail(key, msgNotBool)
	}
	return v, true
}

// strList reads a list of strings; a comma-separated string is accepted
// too, as udata's tag field does.
func (b *body) strList(key string) ([]string, bool) {
	raw, ok := b.fields[key]
	if !ok {
		return nil, false
	}
	if isNull(raw) {
		return nil, true
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				list = append(list, part)
			}
		}
		return list, true
	}
	b.fail(key, msgNotList)
	return nil, true
}

// object reads a JSON object field as its raw bytes ("{}" for null).
func (b *body) object(key string) ([]byte, bool) {
	raw, ok := b.fields[key]
	if !ok {
		return nil, false
	}
	if isNull(raw) {
		return []byte("{}"), true
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		b.fail(key, msgNotObject)
		return nil, true
	}
	return trimmed, true
}

// timestamp reads an ISO 8601 datetime (or date); nil for null.
func (b *body) timestamp(key string) (*timestamppb.Timestamp, bool) {
	s, ok := b.optStr(key)
	if !ok || s == nil {
		return nil, ok
	}
	t, err := ParseISOTime(*s)
	if err != nil {
		b.fail(key, msgNotTime)
		return nil, true
	}
	return timestamppb.New(t), true
}

// ref reads an object reference given as an id string or as {"id": …}.
func (b *body) ref(key string) (string, bool) {
	raw, ok := b.fields[key]
	if !ok {
		return "", false
	}
	if isNull(raw) {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var obj struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		b.fail(key, "Expect a reference: an identifier or an object with an id")
		return "", true
	}
	return obj.ID, true
}

// ParseISOTime reads the datetimes udata accepts: RFC 3339 with or
// without offset (naive means UTC), with a space or a T, or a plain date.
func ParseISOTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("parse datetime %q: unknown format", s)
}

// parseDate reads a YYYY-MM-DD date, or the date part of a datetime.
func parseDate(s string) (string, bool) {
	t, err := ParseISOTime(s)
	if err != nil {
		return "", false
	}
	return t.Format(time.DateOnly), true
}
