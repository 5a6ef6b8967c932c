package sheet

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// headerRecords is how many records are read ahead to make the header of a
// table of JSON records: keys that first appear later are not columns.
const headerRecords = 1000

func openJSON(ctx context.Context, path string, lim Limits) (Rows, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	lr := &limitedReader{r: f, max: lim.MaxBytes, what: "JSON file"}
	br := bufio.NewReaderSize(lr, 64<<10)
	head, _ := br.Peek(64 << 10) // what there is; errors come again on reading
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3) // a UTF-8 BOM, as Windows tools write
		head = head[3:]
	}
	elems := &jsonArray{dec: json.NewDecoder(br), lines: isJSONLines(head)}
	var first json.RawMessage
	if elems.lines {
		first, err = elems.next()
	} else {
		first, err = findTable(elems)
	}
	if err == io.EOF {
		return &arrayRows{elems: elems, close: f.Close, done: true}, nil
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	elems.pending = first
	if first[0] == '[' {
		return &arrayRows{elems: elems, g: guard{ctx: ctx, lim: lim}, close: f.Close}, nil
	}
	return Records(ctx, lim, elems.next, f.Close)
}

// findTable moves into the table — the top-level array, or the first
// member of a top-level object that is an array of records ({"data":
// [...]}, as many APIs answer) — and returns its first element (io.EOF
// for an empty array).
func findTable(elems *jsonArray) (json.RawMessage, error) {
	dec := elems.dec
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonErr(err)
	}
	if tok == json.Delim('[') {
		return elems.next()
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: JSON is a single value, not an array of records", ErrFormat)
	}
	empty := false // an empty array was met: an empty table, unless another has rows
	for {
		key, err := dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		if key == json.Delim('}') {
			if empty {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("%w: JSON object without an array of records", ErrFormat)
		}
		if tok, err = dec.Token(); err != nil {
			return nil, jsonErr(err)
		}
		if tok != json.Delim('[') {
			if err := skipValue(dec, tok); err != nil {
				return nil, err
			}
			continue
		}
		first, err := elems.next()
		if err == io.EOF {
			empty, elems.done = true, false
			continue
		}
		if err == nil || !errors.Is(err, ErrFormat) {
			return first, err
		}
		// An array of single values (keywords, say): look further.
		if err := skipValue(dec, json.Delim('[')); err != nil {
			return nil, err
		}
		elems.done, elems.n = false, 0
	}
}

// isJSONLines tells JSON Lines (one record per line, as many exports
// stream them) from a single JSON document, by the start of the file: a
// complete object on the first line, and another object after it.
func isJSONLines(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n")
	i := bytes.IndexByte(head, '\n')
	if len(head) == 0 || head[0] != '{' || i < 0 || !json.Valid(head[:i]) {
		return false
	}
	rest := bytes.TrimLeft(head[i:], " \t\r\n")
	return len(rest) > 0 && rest[0] == '{'
}

// skipValue consumes the rest of a value whose first token was tok.
func skipValue(dec *json.Decoder, tok json.Token) error {
	depth := 0
	for {
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
		var err error
		if tok, err = dec.Token(); err != nil {
			return jsonErr(err)
		}
	}
}

// jsonArray yields the elements of an array of objects or arrays, or the
// values of JSON Lines, each as raw JSON.
type jsonArray struct {
	dec     *json.Decoder
	lines   bool            // JSON Lines: top-level values, no brackets
	pending json.RawMessage // an element read ahead
	n       int64           // elements read
	done    bool
}

// next returns the next element, io.EOF after the last one.
func (a *jsonArray) next() (json.RawMessage, error) {
	if a.pending != nil {
		raw := a.pending
		a.pending = nil
		return raw, nil
	}
	if a.done {
		return nil, io.EOF
	}
	if !a.dec.More() {
		a.done = true
		if a.lines {
			if _, err := a.dec.Token(); err != io.EOF {
				return nil, fmt.Errorf("%w: JSON Lines: a stray character after value %d", ErrFormat, a.n)
			}
			return nil, io.EOF
		}
		if _, err := a.dec.Token(); err != nil { // the closing ']'
			return nil, jsonErr(err)
		}
		return nil, io.EOF
	}
	var raw json.RawMessage
	if err := a.dec.Decode(&raw); err != nil {
		a.done = true
		return nil, jsonErr(err)
	}
	a.n++
	if raw[0] != '{' && raw[0] != '[' {
		a.done = true
		return nil, fmt.Errorf("%w: JSON element %d is a single value, not a record", ErrFormat, a.n)
	}
	return raw, nil
}

// arrayRows is a JSON array of arrays: each inner array is a row.
type arrayRows struct {
	elems *jsonArray
	g     guard
	close func() error
	done  bool
}

func (r *arrayRows) Next() ([]string, error) {
	for !r.done {
		raw, err := r.elems.next()
		if err != nil {
			r.done = true
			return nil, err
		}
		if raw[0] != '[' {
			r.done = true
			return nil, fmt.Errorf("%w: JSON element %d is not an array like the first one", ErrFormat, r.elems.n)
		}
		var vals []json.RawMessage
		if err := json.Unmarshal(raw, &vals); err != nil {
			r.done = true
			return nil, jsonErr(err)
		}
		if len(vals) > r.g.lim.MaxColumns {
			r.done = true
			return nil, fmt.Errorf("%w: JSON element %d has %d values, more than %d", ErrLimit, r.elems.n, len(vals), r.g.lim.MaxColumns)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = cellOf(v)
		}
		if row = trimRight(row); len(row) == 0 {
			continue
		}
		if err := r.g.check(row, r.elems.n); err != nil {
			r.done = true
			return nil, err
		}
		return row, nil
	}
	return nil, io.EOF
}

func (r *arrayRows) Close() error {
	r.done = true
	if r.close == nil {
		return nil
	}
	c := r.close
	r.close = nil
	return c()
}

// jsonErr words a decoding error for a human.
func jsonErr(err error) error {
	if errors.Is(err, ErrLimit) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: JSON ends too early", ErrFormat)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: JSON syntax error at byte %d: %v", ErrFormat, se.Offset, se)
	}
	return fmt.Errorf("%w: JSON: %v", ErrFormat, err)
}
