package udata

import (
	"errors"
	"unicode"
)

// Mask is a parsed flask-restx field mask (the X-Fields header), as
// flask_restx/mask.py's Mask: field name → nested mask, nil for a plain
// field. The field "*" keeps every field the mask does not name.
type Mask struct {
	fields map[string]*Mask
}

// MaskParseError is flask-restx's mask.ParseError; the API answers it
// with 400 {"message": "Mask parse error: " + Msg}.
type MaskParseError struct{ Msg string }

func (e *MaskParseError) Error() string { return "Mask parse error: " + e.Msg }

// ErrMaskInconsistent is flask-restx's MaskError raised when a nested mask
// is applied to a scalar field; the API answers it with 400
// {"message": "Mask error: Mask is inconsistent with model"}.
var ErrMaskInconsistent = errors.New("Mask error: Mask is inconsistent with model")

// ParseMask parses a mask as flask-restx's Mask.parse and Mask.clean do.
// The header is read as Latin-1, as WSGI passes header values to Python.
// Its lexer, r"\{|\}|\,|[\w_:\-\*]+", keeps brackets, commas and runs of
// word characters, '_', ':', '-' and '*', and ignores everything else.
//
// The result is nil when the mask is blank once cleaned: flask-restx
// fails there with an IndexError (a 500); the gateway serves the response
// unmasked instead, as for an empty header.
func ParseMask(header string) (*Mask, error) {
	s := make([]rune, 0, len(header))
	for i := 0; i < len(header); i++ {
		if c := header[i]; c != '\n' { // mask.replace("\n", "")
			s = append(s, rune(c))
		}
	}
	// .strip()
	for len(s) > 0 && pyIsSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && pyIsSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if len(s) == 0 {
		return nil, nil
	}
	// External brackets are optional.
	if s[0] == '{' {
		if s[len(s)-1] != '}' {
			return nil, &MaskParseError{"Missing closing bracket"}
		}
		s = s[1 : len(s)-1]
		if len(s) == 0 {
			return &Mask{}, nil
		}
	}

	root := &Mask{}
	fields := root
	var stack []*Mask
	previous, hasPrevious := "", false
	for i := 0; i < len(s); {
		var token string
		switch c := s[i]; {
		case c == '{' || c == '}' || c == ',':
			token = string(c)
			i++
		case maskWordRune(c):
			j := i
			for j < len(s) && maskWordRune(s[j]) {
				j++
			}
			token = string(s[i:j])
			i = j
		default:
			i++ // "All extras characters will be ignored."
			continue
		}
		switch token {
		case "{":
			if _, ok := fields.fields[previous]; !ok || !hasPrevious {
				return nil, &MaskParseError{"Unexpected opening bracket"}
			}
			nested := &Mask{}
			fields.fields[previous] = nested
			stack = append(stack, fields)
			fields = nested
		case "}":
			if len(stack) == 0 {
				return nil, &MaskParseError{"Unexpected closing bracket"}
			}
			fields = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		case ",":
			if !hasPrevious || previous == "," || previous == "{" {
				return nil, &MaskParseError{"Unexpected comma"}
			}
		default:
			if fields.fields == nil {
				fields.fields = make(map[string]*Mask)
			}
			fields.fields[token] = nil
		}
		previous, hasPrevious = token, true
	}
	if len(stack) > 0 {
		return nil, &MaskParseError{"Missing closing bracket"}
	}
	return root, nil
}

// maskWordRune reports whether Python's [\w_:\-\*] matches r (\w on str:
// letters, digits and numerics of Unicode, and '_').
func maskWordRune(r rune) bool {
	return r == '_' || r == ':' || r == '-' || r == '*' ||
		r < 0x80 && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') ||
		r >= 0x80 && (unicode.IsLetter(r) || unicode.IsNumber(r))
}

// pyIsSpace is str.isspace for Latin-1 characters.
func pyIsSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0:
		return true
	}
	return false
}

// ApplyMask writes src, a JSON value written by this package (keys sorted,
// Python's separators and escaping), filtered by m as flask-restx's
// marshal does with a mask (skip=True): an object keeps the fields the
// mask names and has (fields it lacks are left out, not null), all of
// them when the mask has "*"; a nested mask applies to an object and to
// each item of a list; null stays null. A nested mask on a scalar is
// [ErrMaskInconsistent]. Kept values are copied byte for byte.
func (w *Writer) ApplyMask(src []byte, m *Mask) error {
	_, err := w.maskValue(src, skipSpace(src, 0), m)
	return err
}

func (w *Writer) maskValue(src []byte, i int, m *Mask) (int, error) {
	if i >= len(src) {
		return i, errBadJSON
	}
	switch src[i] {
	case '{':
		return w.maskObject(src, i, m)
	case '[':
		w.BeginArray()
		i = skipSpace(src, i+1)
		if i < len(src) && src[i] == ']' {
			w.EndArray()
			return i + 1, nil
		}
		for {
			var err error
			if i, err = w.maskValue(src, i, m); err != nil {
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
			i = skipSpace(src, i+1)
		}
	case 'n':
		end := scanScalar(src, i)
		if string(src[i:end]) != "null" {
			return end, errBadJSON
		}
		w.Null()
		return end, nil
	default:
		return i, ErrMaskInconsistent
	}
}

func (w *Writer) maskObject(src []byte, i int, m *Mask) (int, error) {
	_, all := m.fields["*"]
	w.BeginObject()
	i = skipSpace(src, i+1)
	if i < len(src) && src[i] == '}' {
		w.EndObject()
		return i + 1, nil
	}
	for {
		if i >= len(src) || src[i] != '"' {
			return i, errBadJSON
		}
		keyEnd, err := scanString(src, i)
		if err != nil {
			return keyEnd, err
		}
		rawKey := src[i+1 : keyEnd-1]
		i = skipSpace(src, keyEnd)
		if i >= len(src) || src[i] != ':' {
			return i, errBadJSON
		}
		valStart := skipSpace(src, i+1)
		key := string(rawKey)
		if !plainKey(rawKey) {
			key = unquote(rawKey)
		}
		nested, named := m.fields[key]
		if key == "*" {
			named = false // "*" is the wildcard, never a field of its own
		}
		switch {
		case named && nested != nil:
			w.writeRawKey(rawKey)
			if i, err = w.maskValue(src, valStart, nested); err != nil {
				return i, err
			}
		case named || all:
			w.writeRawKey(rawKey)
			if i, err = skipValue(src, valStart); err != nil {
				return i, err
			}
			w.Raw(src[valStart:i])
		default:
			if i, err = skipValue(src, valStart); err != nil {
				return i, err
			}
		}
		i = skipSpace(src, i)
		if i >= len(src) {
			return i, errBadJSON
		}
		if src[i] == '}' {
			w.EndObject()
			return i + 1, nil
		}
		if src[i] != ',' {
			return i, errBadJSON
		}
		i = skipSpace(src, i+1)
	}
}

// writeRawKey writes a key from its raw (already escaped) form.
func (w *Writer) writeRawKey(raw []byte) {
	w.sep()
	w.buf = append(w.buf, '"')
	w.buf = append(w.buf, raw...)
	w.buf = append(w.buf, '"', ':', ' ')
	w.needComma = false
}
