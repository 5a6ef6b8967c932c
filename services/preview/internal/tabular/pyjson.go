package tabular

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyJSON builds JSON as Python's json.dumps writes it (api-tabular answers
// with aiohttp's json_response): ", " and ": " separators, keys in insertion
// order, and every non-ASCII character escaped as \uXXXX (ensure_ascii).
type pyJSON struct{ b []byte }

func (w *pyJSON) bytes() []byte  { return w.b }
func (w *pyJSON) reset()         { w.b = w.b[:0] }
func (w *pyJSON) raw(s string)   { w.b = append(w.b, s...) }
func (w *pyJSON) null()          { w.raw("null") }
func (w *pyJSON) int(v int64)    { w.b = strconv.AppendInt(w.b, v, 10) }
func (w *pyJSON) key(k string)   { w.str(k); w.raw(": ") }
func (w *pyJSON) boolean(v bool) { w.b = strconv.AppendBool(w.b, v) }

// float writes v as Python's repr: shortest round-trip digits, exponent form
// below 1e-4 and from 1e16, and ".0" on integral values. NaN and infinities,
// which JSON cannot hold, become null.
func (w *pyJSON) float(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		w.null()
		return
	}
	abs := math.Abs(v)
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		w.b = strconv.AppendFloat(w.b, v, 'e', -1, 64)
		return
	}
	start := len(w.b)
	w.b = strconv.AppendFloat(w.b, v, 'f', -1, 64)
	for _, c := range w.b[start:] {
		if c == '.' {
			return
		}
	}
	w.raw(".0")
}

// str writes s as a JSON string with ensure_ascii escapes; invalid UTF-8
// bytes become U+FFFD.
func (w *pyJSON) str(s string) {
	const hex = "0123456789abcdef"
	w.b = append(w.b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case '"':
				w.raw(`\"`)
			case '\\':
				w.raw(`\\`)
			case '\n':
				w.raw(`\n`)
			case '\r':
				w.raw(`\r`)
			case '\t':
				w.raw(`\t`)
			case '\b':
				w.raw(`\b`)
			case '\f':
				w.raw(`\f`)
			default:
				if c < 0x20 {
					w.b = append(w.b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
				} else {
					w.b = append(w.b, c)
				}
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= 0x10000 {
			r -= 0x10000
			w.u16(hex, 0xd800+(r>>10))
			w.u16(hex, 0xdc00+(r&0x3ff))
			continue
		}
		w.u16(hex, r)
	}
	w.b = append(w.b, '"')
}

func (w *pyJSON) u16(hex string, r rune) {
	w.b = append(w.b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}

// document writes a stored JSON document as a nested value, re-encoded in
// Python's style with its keys in their order; text that is not valid JSON
// is written as a string.
func (w *pyJSON) document(text string) {
	if !json.Valid([]byte(text)) {
		w.str(text)
		return
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	type frame struct {
		object bool
		n      int // values (and keys) written so far
	}
	var stack []frame
	before := func() {
		if len(stack) == 0 {
			return
		}
		f := &stack[len(stack)-1]
		switch {
		case f.object && f.n%2 == 1:
			w.raw(": ")
		case f.n > 0:
			w.raw(", ")
		}
		f.n++
	}
	for {
		tok, err := dec.Token()
		if err != nil { // io.EOF: the document was valid
			return
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				before()
				stack = append(stack, frame{object: t == '{'})
			} else {
				stack = stack[:len(stack)-1]
			}
			w.b = append(w.b, byte(t))
		case string:
			before()
			w.str(t)
		case json.Number:
			before()
			w.raw(string(t))
		case bool:
			before()
			w.boolean(t)
		case nil:
			before()
			w.null()
		}
	}
}
