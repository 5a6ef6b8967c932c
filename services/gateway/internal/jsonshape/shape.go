// Package jsonshape compares JSON documents by shape — keys and JSON
// types — and checks udata's byte conventions (sorted keys, ASCII only).
// Tests use it to hold Relais's responses against data.gouv.fr's.
package jsonshape

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Kind is the JSON type of a decoded value.
func Kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// Decode decodes JSON keeping numbers as json.Number.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return v, nil
}

// Options tune [Compare].
type Options struct {
	// Skip lists paths (as Compare reports them, e.g. "$.extras") whose
	// contents are free-form and not compared.
	Skip []string
	// Nullable lists paths where our value may be null although the
	// reference's is not (an optional field the reference happens to set).
	Nullable []string
}

// Compare reports, for every key the reference carries, whether ours has
// it with the same JSON type, recursively. A null in the reference matches
// anything. Arrays are compared element-wise on the reference's first
// element (when both are non-empty). Missing is the list of problems;
// Extra lists keys ours adds (allowed: we may add, never change).
func Compare(ref, ours any, opts Options) (missing, extra []string) {
	c := comparer{opts: opts}
	c.walk("$", ref, ours)
	return c.missing, c.extra
}

type comparer struct {
	opts    Options
	missing []string
	extra   []string
}

func (c *comparer) walk(path string, ref, ours any) {
	if slices.Contains(c.opts.Skip, path) {
		return
	}
	if ref == nil || (ours == nil && slices.Contains(c.opts.Nullable, path)) {
		return
	}
	if Kind(ref) != Kind(ours) {
		c.missing = append(c.missing, fmt.Sprintf("%s: type %s, want %s", path, Kind(ours), Kind(ref)))
		return
	}
	switch r := ref.(type) {
	case map[string]any:
		o := ours.(map[string]any)
		for k, rv := range r {
			ov, ok := o[k]
			if !ok && slices.Contains(c.opts.Skip, path+"."+k) {
				continue
			}
			if !ok {
				c.missing = append(c.missing, fmt.Sprintf("%s.%s: missing (%s)", path, k, Kind(rv)))
				continue
			}
			c.walk(path+"."+k, rv, ov)
		}
		for k := range o {
			if _, ok := r[k]; !ok {
				c.extra = append(c.extra, path+"."+k)
			}
		}
	case []any:
		o := ours.([]any)
		if len(r) > 0 && len(o) > 0 {
			for _, ov := range o {
				c.walk(path+"[]", r[0], ov)
			}
		}
	}
	slices.Sort(c.missing)
	slices.Sort(c.extra)
	c.missing = slices.Compact(c.missing)
	c.extra = slices.Compact(c.extra)
}

// CheckConventions checks udata's byte conventions on a JSON document:
// only ASCII bytes, keys sorted in every object, ", " and ": " separators.
func CheckConventions(data []byte) error {
	for i, c := range data {
		if c >= 0x80 {
			return fmt.Errorf("non-ASCII byte 0x%x at offset %d", c, i)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object  bool
		lastKey *string
		wantKey bool
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("tokenize: %w", err)
		}
		top := len(stack) - 1
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{', '[':
				if top >= 0 && stack[top].object {
					stack[top].wantKey = true
				}
				stack = append(stack, frame{object: tok == '{', wantKey: tok == '{'})
			default:
				stack = stack[:top]
			}
			continue
		case string:
			if top >= 0 && stack[top].object && stack[top].wantKey {
				if last := stack[top].lastKey; last != nil && *last >= tok {
					return fmt.Errorf("key %q after %q: not sorted", tok, *last)
				}
				stack[top].lastKey = &tok
				stack[top].wantKey = false
				continue
			}
		}
		if top >= 0 && stack[top].object {
			stack[top].wantKey = true
		}
	}
	return checkSeparators(data)
}

// checkSeparators checks that outside strings every ',' is followed by a
// space and every ':' too, as Python's json.dumps writes them.
func checkSeparators(data []byte) error {
	inString, escaped := false, false
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case ',', ':':
			if i+1 >= len(data) || data[i+1] != ' ' {
				return fmt.Errorf("separator %q at %d not followed by a space: %s", c, i, context(data, i))
			}
		}
	}
	return nil
}

func context(data []byte, i int) string {
	lo, hi := max(0, i-30), min(len(data), i+30)
	return strings.ReplaceAll(string(data[lo:hi]), "\n", " ")
}
