package udata

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// errBadJSON reports stored JSON that does not parse.
var errBadJSON = errors.New("invalid JSON")

// RawObject writes a stored free-form JSON object (extras, harvest…) with
// its keys sorted and Python's escaping, or ifEmpty ("{}" or "null") when
// src is empty, null or not a valid JSON object.
func (w *Writer) RawObject(src []byte, ifEmpty string) {
	src = bytes.TrimSpace(src)
	if len(src) == 0 || src[0] != '{' {
		w.Raw([]byte(ifEmpty))
		return
	}
	if len(src) == 2 { // "{}"
		w.Raw(src)
		return
	}
	mark, comma := len(w.buf), w.needComma
	if _, err := w.rawValue(src, 0); err != nil {
		w.buf, w.needComma = w.buf[:mark], comma
		w.Raw([]byte(ifEmpty))
	}
}

// member is one key/value of a JSON object being re-encoded; key is the
// raw key between its quotes (escapes included), val the raw value.
type member struct {
	key, val []byte
}

// rawValue re-encodes the JSON value starting at src[i] (after optional
// whitespace) and returns the index after it.
func (w *Writer) rawValue(src []byte, i int) (int, error) {
	i = skipSpace(src, i)
	if i >= len(src) {
		return i, errBadJSON
	}
	switch c := src[i]; {
	case c == '{':
		return w.rawObject(src, i)
	case c == '[':
		w.BeginArray()
		i = skipSpace(src, i+1)
		if i < len(src) && src[i] == ']' {
			w.EndArray()
			return i + 1, nil
		}
		for {
			var err error
			if i, err = w.rawValue(src, i); err != nil {
				return i, err
			}
			i = skipSpace(src, i)
			if i >= len(src) {
				return i, errBadJSON
			}
			if src[i] == ']' {
				w.EndArray()
				return i + 1, nil
			}
			if src[i] != ',' {
				return i, errBadJSON
			}
			i++
		}
	case c == '"':
		end, err := scanString(src, i)
		if err != nil {
			return end, err
		}
		w.sep()
		w.buf = appendRawString(w.buf, src[i+1:end-1])
		w.needComma = true
		return end, nil
	default:
		end := scanScalar(src, i)
		lit := src[i:end]
		if !validScalar(lit) {
			return end, errBadJSON
		}
		w.sep()
		w.buf = append(w.buf, lit...)
		w.needComma = true
		return end, nil
	}
}

// rawObject re-encodes the object at src[i] with its keys sorted. Members
// are gathered on a scratch stack shared by the nested objects.
func (w *Writer) rawObject(src []byte, i int) (int, error) {
	base := len(w.members)
	defer func() { w.members = w.members[:base] }()
	i = skipSpace(src, i+1)
	if i < len(src) && src[i] == '}' {
		i++
	} else {
		for {
			if i >= len(src) || src[i] != '"' {
				return i, errBadJSON
			}
			keyEnd, err := scanString(src, i)
			if err != nil {
				return keyEnd, err
			}
			key := src[i+1 : keyEnd-1]
			i = skipSpace(src, keyEnd)
			if i >= len(src) || src[i] != ':' {
				return i, errBadJSON
			}
			valStart := skipSpace(src, i+1)
			valEnd, err := skipValue(src, valStart)
			if err != nil {
				return valEnd, err
			}
			w.members = append(w.members, member{key: key, val: src[valStart:valEnd]})
			i = skipSpace(src, valEnd)
			if i >= len(src) {
				return i, errBadJSON
			}
			if src[i] == '}' {
				i++
				break
			}
			if src[i] != ',' {
				return i, errBadJSON
			}
			i = skipSpace(src, i+1)
		}
	}
	ms := w.members[base:]
	if !slices.IsSortedFunc(ms, compareMembers) {
		slices.SortStableFunc(ms, compareMembers)
	}
	// A repeated key keeps its last value, as Python's json.loads does.
	w.BeginObject()
	for k := base; k < len(w.members); k++ {
		m := w.members[k]
		if k+1 < len(w.members) && compareMembers(m, w.members[k+1]) == 0 {
			continue
		}
		w.sep()
		w.buf = append(w.buf, '"')
		w.buf = appendRawStringBody(w.buf, m.key)
		w.buf = append(w.buf, '"', ':', ' ')
		w.needComma = false
		if _, err := w.rawValue(m.val, 0); err != nil {
			return i, err
		}
	}
	w.EndObject()
	return i, nil
}

// compareMembers orders keys as Python's sort_keys does (by code point);
// keys without escapes compare as raw UTF-8, which is the same order.
func compareMembers(a, b member) int {
	if plainKey(a.key) && plainKey(b.key) {
		return bytes.Compare(a.key, b.key)
	}
	return strings.Compare(unquote(a.key), unquote(b.key))
}

// plainKey reports whether a raw key is its own decoded form: no escape
// and valid UTF-8.
func plainKey(k []byte) bool {
	for _, c := range k {
		if c == '\\' {
			return false
		}
		if c >= utf8.RuneSelf {
			return bytes.IndexByte(k, '\\') < 0 && utf8.Valid(k)
		}
	}
	return true
}

// unquote decodes the content of a JSON string (without its quotes).
func unquote(raw []byte) string {
	var s string
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	if json.Unmarshal(quoted, &s) != nil {
		return string(raw)
	}
	return s
}

func skipSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\n' || src[i] == '\r' || src[i] == '\t') {
		i++
	}
	return i
}

// scanString returns the index after the closing quote of the string
// starting at src[i].
func scanString(src []byte, i int) (int, error) {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return len(src), errBadJSON
}

func scanScalar(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case ',', '}', ']', ' ', '\n', '\r', '\t':
			return i
		}
		i++
	}
	return i
}

func validScalar(lit []byte) bool {
	switch string(lit) {
	case "true", "false", "null":
		return true
	}
	return json.Valid(lit)
}

// skipValue returns the index after the JSON value at src[i].
func skipValue(src []byte, i int) (int, error) {
	if i >= len(src) {
		return i, errBadJSON
	}
	switch src[i] {
	case '"':
		return scanString(src, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(src); j++ {
			switch src[j] {
			case '"':
				end, err := scanString(src, j)
				if err != nil {
					return end, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return len(src), errBadJSON
	default:
		return scanScalar(src, i), nil
	}
}

// appendRawString appends a JSON string from the raw content of another
// (escapes included), re-escaped as Python does.
func appendRawString(b, raw []byte) []byte {
	b = append(b, '"')
	b = appendRawStringBody(b, raw)
	return append(b, '"')
}

// appendRawStringBody re-escapes the raw content of a JSON string: literal
// characters go through Python's escaping, and each \uXXXX code unit is
// written back as Python would write that code unit (so surrogate pairs
// stay pairs, and \u0041 becomes A).
func appendRawStringBody(b, raw []byte) []byte {
	start := 0
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' && c >= 0x20 && c < 0x7f && c != '"' {
			i++
			continue
		}
		if c != '\\' {
			// Non-ASCII or a control byte.
			b = append(b, raw[start:i]...)
			if c < utf8.RuneSelf {
				b = appendEscapedASCII(b, c)
				i++
			} else {
				r, size := utf8.DecodeRune(raw[i:])
				b = appendEscapedRune(b, r)
				i += size
			}
			start = i
			continue
		}
		b = append(b, raw[start:i]...)
		if i+1 >= len(raw) {
			return b
		}
		switch e := raw[i+1]; e {
		case 'u':
			if i+6 > len(raw) {
				return b
			}
			var cu rune
			for _, h := range raw[i+2 : i+6] {
				cu <<= 4
				switch {
				case h >= '0' && h <= '9':
					cu |= rune(h - '0')
				case h >= 'a' && h <= 'f':
					cu |= rune(h - 'a' + 10)
				case h >= 'A' && h <= 'F':
					cu |= rune(h - 'A' + 10)
				}
			}
			if cu < 0x80 {
				b = appendEscapedASCII(b, byte(cu))
			} else {
				b = appendU(b, cu)
			}
			i += 6
		case '/':
			b = append(b, '/')
			i += 2
		default: // \" \\ \b \f \n \r \t are already Python's escapes
			b = append(b, '\\', e)
			i += 2
		}
		start = i
	}
	return append(b, raw[start:]...)
}

// rawString looks up key in a stored JSON object and returns its value
// when it is a string. Used for the few keys rendering depends on
// (harvest dates, the analysed last-modified date).
func rawString(src []byte, key string) (string, bool) {
	src = bytes.TrimSpace(src)
	if len(src) < 2 || src[0] != '{' {
		return "", false
	}
	i := skipSpace(src, 1)
	for i < len(src) && src[i] == '"' {
		keyEnd, err := scanString(src, i)
		if err != nil {
			return "", false
		}
		k := src[i+1 : keyEnd-1]
		i = skipSpace(src, keyEnd)
		if i >= len(src) || src[i] != ':' {
			return "", false
		}
		valStart := skipSpace(src, i+1)
		valEnd, err := skipValue(src, valStart)
		if err != nil {
			return "", false
		}
		if string(k) == key || (bytes.IndexByte(k, '\\') >= 0 && unquote(k) == key) {
			if valStart < len(src) && src[valStart] == '"' {
				return unquote(src[valStart+1 : valEnd-1]), true
			}
			return "", false
		}
		i = skipSpace(src, valEnd)
		if i < len(src) && src[i] == ',' {
			i = skipSpace(src, i+1)
		}
	}
	return "", false
}

// Object writes a decoded JSON object with its keys sorted.
func (w *Writer) Object(m map[string]any) {
	w.BeginObject()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w.sep()
		w.buf = appendPyString(w.buf, k)
		w.buf = append(w.buf, ':', ' ')
		w.needComma = false
		w.Value(m[k])
	}
	w.EndObject()
}

// Value writes a value decoded by encoding/json (UseNumber) or built by
// hand (string maps for error bodies).
func (w *Writer) Value(v any) {
	switch v := v.(type) {
	case nil:
		w.Null()
	case bool:
		w.Bool(v)
	case string:
		w.String(v)
	case json.Number:
		w.sep()
		w.buf = append(w.buf, v...)
		w.needComma = true
	case float64:
		w.Float(v)
	case int:
		w.Int(int64(v))
	case int64:
		w.Int(v)
	case []string:
		w.Strings(v)
	case []any:
		w.BeginArray()
		for _, e := range v {
			w.Value(e)
		}
		w.EndArray()
	case map[string]string:
		m := make(map[string]any, len(v))
		for k, s := range v {
			m[k] = s
		}
		w.Object(m)
	case map[string]any:
		w.Object(v)
	default:
		w.Null()
	}
}
