package udata

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// Writer appends JSON the way Python's json.dumps(ensure_ascii=True) does.
// Keys are written in the order the caller gives them: every caller writes
// them sorted, as Flask does (a test checks it for every object).
//
// Commas are placed automatically: a value or key written after another
// value at the same level is preceded by ", ".
type Writer struct {
	buf       []byte
	needComma bool
	members   []member // scratch stack for re-encoding stored JSON
}

// NewWriter returns a Writer whose buffer starts with the given capacity.
func NewWriter(capacity int) *Writer {
	return &Writer{buf: make([]byte, 0, capacity)}
}

// Reset empties the writer, keeping its buffer.
func (w *Writer) Reset() {
	w.buf = w.buf[:0]
	w.needComma = false
}

// Bytes returns the JSON written so far.
func (w *Writer) Bytes() []byte { return w.buf }

func (w *Writer) sep() {
	if w.needComma {
		w.buf = append(w.buf, ", "...)
	}
}

// BeginObject writes '{'.
func (w *Writer) BeginObject() {
	w.sep()
	w.buf = append(w.buf, '{')
	w.needComma = false
}

// EndObject writes '}'.
func (w *Writer) EndObject() {
	w.buf = append(w.buf, '}')
	w.needComma = true
}

// BeginArray writes '['.
func (w *Writer) BeginArray() {
	w.sep()
	w.buf = append(w.buf, '[')
	w.needComma = false
}

// EndArray writes ']'.
func (w *Writer) EndArray() {
	w.buf = append(w.buf, ']')
	w.needComma = true
}

// Key writes an object key; k must be plain ASCII needing no escape.
func (w *Writer) Key(k string) {
	w.sep()
	w.buf = append(w.buf, '"')
	w.buf = append(w.buf, k...)
	w.buf = append(w.buf, '"', ':', ' ')
	w.needComma = false
}

// String writes a JSON string.
func (w *Writer) String(s string) {
	w.sep()
	w.buf = appendPyString(w.buf, s)
	w.needComma = true
}

// StringOrNull writes *s, or null when s is nil.
func (w *Writer) StringOrNull(s *string) {
	if s == nil {
		w.Null()
		return
	}
	w.String(*s)
}

// StringOrNullIfEmpty writes s, or null when s is empty.
func (w *Writer) StringOrNullIfEmpty(s string) {
	if s == "" {
		w.Null()
		return
	}
	w.String(s)
}

// Strings writes a list of strings.
func (w *Writer) Strings(list []string) {
	w.BeginArray()
	for _, s := range list {
		w.String(s)
	}
	w.EndArray()
}

// Null writes null.
func (w *Writer) Null() {
	w.sep()
	w.buf = append(w.buf, "null"...)
	w.needComma = true
}

// Bool writes true or false.
func (w *Writer) Bool(b bool) {
	w.sep()
	w.buf = strconv.AppendBool(w.buf, b)
	w.needComma = true
}

// Int writes an integer.
func (w *Writer) Int(n int64) {
	w.sep()
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.needComma = true
}

// IntOrNull writes *n, or null when n is nil.
func (w *Writer) IntOrNull(n *int64) {
	if n == nil {
		w.Null()
		return
	}
	w.Int(*n)
}

// Float writes f as Python's repr(float) does (1.0, 0.5, 1e-05, 1e+16).
func (w *Writer) Float(f float64) {
	w.sep()
	w.buf = appendPyFloat(w.buf, f)
	w.needComma = true
}

// Time writes a timestamp as Python's datetime.isoformat() with a UTC
// offset, or null when ts is nil.
func (w *Writer) Time(ts *timestamppb.Timestamp) {
	if ts == nil {
		w.Null()
		return
	}
	w.GoTime(ts.AsTime())
}

// GoTime writes t like [Writer.Time].
func (w *Writer) GoTime(t time.Time) {
	w.sep()
	w.buf = append(w.buf, '"')
	w.buf = AppendISOTime(w.buf, t)
	w.buf = append(w.buf, '"')
	w.needComma = true
}

// Concat writes the string a+b+c (URLs made of a base, a slug or an id,
// and a suffix) without building it first.
func (w *Writer) Concat(a, b, c string) {
	w.sep()
	w.buf = append(w.buf, '"')
	w.buf = appendPyStringBody(w.buf, a)
	w.buf = appendPyStringBody(w.buf, b)
	w.buf = appendPyStringBody(w.buf, c)
	w.buf = append(w.buf, '"')
	w.needComma = true
}

// Raw appends already-encoded JSON (which must follow the conventions).
func (w *Writer) Raw(b []byte) {
	w.sep()
	w.buf = append(w.buf, b...)
	w.needComma = true
}

// AppendISOTime appends t in UTC as Python's isoformat():
// "2025-04-07T06:15:30.658000+00:00", without the fraction when the
// microseconds are zero ("2019-07-03T23:17:38+00:00").
func AppendISOTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	b = appendPadded(b, year, 4)
	b = append(b, '-')
	b = appendPadded(b, int(month), 2)
	b = append(b, '-')
	b = appendPadded(b, day, 2)
	b = append(b, 'T')
	b = appendPadded(b, hour, 2)
	b = append(b, ':')
	b = appendPadded(b, minute, 2)
	b = append(b, ':')
	b = appendPadded(b, sec, 2)
	if micro := t.Nanosecond() / 1000; micro != 0 {
		b = append(b, '.')
		b = appendPadded(b, micro, 6)
	}
	return append(b, "+00:00"...)
}

func appendPadded(b []byte, n, width int) []byte {
	if n < 0 {
		n = 0
	}
	switch width {
	case 2:
		if n < 100 {
			return append(b, byte('0'+n/10), byte('0'+n%10))
		}
	case 4:
		if n < 10000 {
			return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
		}
	}
	var tmp [20]byte
	i := len(tmp)
	for n > 0 || i > len(tmp)-width {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, tmp[i:]...)
}

const hexDigits = "0123456789abcdef"

// appendPyString appends s as a JSON string the way Python's json module
// does with ensure_ascii=True: printable ASCII as is except '"' and '\\',
// the usual short escapes, everything else as lowercase \uXXXX (UTF-16
// surrogate pairs above the BMP). '<', '>' and '&' are not escaped.
// Invalid UTF-8 (which a Python str cannot hold) becomes \ufffd.
func appendPyString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendPyStringBody(b, s)
	return append(b, '"')
}

// appendPyStringBody is appendPyString without the quotes.
func appendPyStringBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		// Skip runs of plain ASCII eight bytes at a time.
		for i+8 <= len(s) && !needsEscape8(load8(s, i)) {
			i += 8
		}
		// Then byte by byte up to the byte that needs escaping.
		for i < len(s) && plainASCII(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		b = append(b, s[start:i]...)
		if c < utf8.RuneSelf {
			b = appendEscapedASCII(b, c)
			i++
		} else if c >= 0xc2 && c < 0xe0 && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
			// Two-byte sequences (Latin letters with accents) decoded inline.
			b = appendU(b, rune(c&0x1f)<<6|rune(s[i+1]&0x3f))
			i += 2
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			b = appendEscapedRune(b, r) // utf8.RuneError for invalid bytes
			i += size
		}
		start = i
	}
	return append(b, s[start:]...)
}

func plainASCII(c byte) bool {
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
}

// load8 reads s[i:i+8] as a little-endian word (the compiler merges the
// byte loads).
func load8(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// needsEscape8 reports whether one of the eight bytes of x is not plain
// printable ASCII for JSON: below 0x20, 0x7f and above, '"' or '\\'.
// These are the bit tricks of "Bit Twiddling Hacks" (haszero, hasless),
// exact as to whether some byte matches.
func needsEscape8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	control := (x - ones*0x20) &^ x
	high := (x + ones) | x // 0x7f+1 and bytes >= 0x80 have their high bit
	q := x ^ (ones * '"')
	quote := (q - ones) &^ q
	bs := x ^ (ones * '\\')
	backslash := (bs - ones) &^ bs
	return (control|high|quote|backslash)&highs != 0
}

// appendEscapedASCII appends an ASCII byte as Python's json writes it.
func appendEscapedASCII(b []byte, c byte) []byte {
	switch c {
	case '"':
		return append(b, '\\', '"')
	case '\\':
		return append(b, '\\', '\\')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	}
	if c < 0x20 || c >= 0x7f {
		return appendU(b, rune(c))
	}
	return append(b, c)
}

// appendEscapedRune appends a non-ASCII rune as \uXXXX, as a UTF-16
// surrogate pair above the BMP.
func appendEscapedRune(b []byte, r rune) []byte {
	if r >= 0x10000 {
		r -= 0x10000
		b = appendU(b, 0xd800+(r>>10)&0x3ff)
		return appendU(b, 0xdc00+r&0x3ff)
	}
	return appendU(b, r)
}

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u',
		hexDigits[(r>>12)&0xf], hexDigits[(r>>8)&0xf], hexDigits[(r>>4)&0xf], hexDigits[r&0xf])
}

// appendPyFloat appends f as Python's repr(float): the shortest digits that
// round-trip, fixed notation when the decimal exponent is in (-4, 16],
// scientific otherwise, and ".0" on integral values.
func appendPyFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	// e looks like "-1.2345e+06"; the decimal point position is exp+1.
	exp := 0
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] == 'e' {
			n, _ := strconv.Atoi(string(e[i+1:]))
			exp = n
			break
		}
	}
	decpt := exp + 1
	if decpt > 16 || decpt <= -4 {
		return append(b, e...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, '.', '0')
}
