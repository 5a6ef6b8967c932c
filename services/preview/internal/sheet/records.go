package sheet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// headerBytes bounds the records read ahead for the header, whatever their
// number.
const headerBytes = 16 << 20

// Records makes a table of JSON objects: the first row is the header (the
// keys of the first records, in order of appearance), then one row per
// object, its values in the header's order — strings as they are, numbers
// as written, true/false, null as empty, objects and arrays as compact
// JSON. Keys that first appear after the records read ahead are not
// columns. next returns raw JSON objects and io.EOF at the end; close
// (may be nil) is called by Close. The JSON reader and GeoJSON properties
// share it.
func Records(ctx context.Context, lim Limits, next func() (json.RawMessage, error), close func() error) (Rows, error) {
	lim = lim.withDefaults()
	r := &recordRows{next: next, close: close, g: guard{ctx: ctx, lim: lim}, index: map[string]int{}}
	size := 0
	for len(r.ahead) < headerRecords && size < headerBytes {
		raw, err := next()
		if err == io.EOF {
			r.eof = true
			break
		}
		if err != nil {
			r.Close()
			return nil, err
		}
		r.n++
		if err := members(raw, func(key []byte, _ []byte) error {
			if _, ok := r.index[string(key)]; !ok {
				r.index[string(key)] = len(r.header)
				r.header = append(r.header, keyString(key))
				if len(r.header) > lim.MaxColumns {
					return fmt.Errorf("%w: JSON records have more than %d distinct keys", ErrLimit, lim.MaxColumns)
				}
			}
			return nil
		}); err != nil {
			r.Close()
			return nil, fmt.Errorf("record %d: %w", r.n, err)
		}
		r.ahead = append(r.ahead, raw)
		size += len(raw)
	}
	return r, nil
}

type recordRows struct {
	next   func() (json.RawMessage, error)
	close  func() error
	g      guard
	header []string
	index  map[string]int
	ahead  []json.RawMessage // records read to make the header
	n      int64             // records read
	sent   bool              // the header was returned
	eof    bool
	done   bool
}

func (r *recordRows) Next() ([]string, error) {
	if r.done {
		return nil, io.EOF
	}
	if !r.sent {
		r.sent = true
		if len(r.header) == 0 {
			r.done = true
			return nil, io.EOF
		}
		if err := r.g.check(r.header, 0); err != nil {
			r.done = true
			return nil, err
		}
		return r.header, nil
	}
	for {
		raw, line, err := r.record()
		if err != nil {
			r.done = true
			return nil, err
		}
		row := make([]string, len(r.header))
		empty := true
		if err := members(raw, func(key, val []byte) error {
			if i, ok := r.index[string(key)]; ok {
				row[i] = cellOf(val)
				empty = empty && row[i] == ""
			}
			return nil
		}); err != nil {
			r.done = true
			return nil, fmt.Errorf("record %d: %w", line, err)
		}
		if empty {
			continue
		}
		if err := r.g.check(row, line); err != nil {
			r.done = true
			return nil, err
		}
		return row, nil
	}
}

// record returns the next record and its 1-based number.
func (r *recordRows) record() (json.RawMessage, int64, error) {
	if len(r.ahead) > 0 {
		raw := r.ahead[0]
		r.ahead[0] = nil
		r.ahead = r.ahead[1:]
		return raw, r.n - int64(len(r.ahead)), nil
	}
	if r.eof {
		return nil, 0, io.EOF
	}
	raw, err := r.next()
	if err != nil {
		return nil, 0, err
	}
	r.n++
	return raw, r.n, nil
}

func (r *recordRows) Close() error {
	r.done = true
	r.ahead = nil
	if r.close == nil {
		return nil
	}
	c := r.close
	r.close = nil
	return c()
}

// members calls fn with each key (still quoted) and value of the JSON
// object obj. null stands for an object without members.
func members(obj []byte, fn func(key, val []byte) error) error {
	obj = bytes.TrimSpace(obj)
	if string(obj) == "null" {
		return nil
	}
	if len(obj) < 2 || obj[0] != '{' {
		return fmt.Errorf("%w: not a JSON object", ErrFormat)
	}
	i := 1
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) {
			return fmt.Errorf("%w: unterminated JSON object", ErrFormat)
		}
		switch obj[i] {
		case '}':
			return nil
		case ',':
			i++
			continue
		case '"':
		default:
			return fmt.Errorf("%w: malformed JSON object at byte %d", ErrFormat, i)
		}
		kend := scanString(obj, i)
		key := obj[i:kend]
		i = skipSpace(obj, kend)
		if i >= len(obj) || obj[i] != ':' {
			return fmt.Errorf("%w: malformed JSON object at byte %d", ErrFormat, i)
		}
		i = skipSpace(obj, i+1)
		vend := scanValue(obj, i)
		if vend <= i || vend > len(obj) {
			return fmt.Errorf("%w: malformed JSON value at byte %d", ErrFormat, i)
		}
		if err := fn(key, obj[i:vend]); err != nil {
			return err
		}
		i = vend
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the end (past the closing quote) of the string
// starting at b[i], or len(b)+1 when unterminated.
func scanString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b) + 1
}

// scanValue returns the end of the JSON value starting at b[i].
func scanValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return scanString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = scanString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b) + 1
	}
	j := i
	for ; j < len(b); j++ {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
	}
	return j
}

// keyString unquotes a JSON key.
func keyString(key []byte) string {
	if bytes.IndexByte(key, '\\') < 0 && len(key) >= 2 {
		return string(key[1 : len(key)-1])
	}
	var s string
	if json.Unmarshal(key, &s) != nil {
		return string(key)
	}
	return s
}

// cellOf renders a JSON value as a table cell.
func cellOf(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '"':
		return keyString(v)
	case 'n':
		return ""
	case '{', '[':
		var buf bytes.Buffer
		if json.Compact(&buf, v) != nil {
			return string(v)
		}
		return buf.String()
	}
	return string(v) // a number, true or false, as written
}
