package searchindex

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// maxMeiliDocID is Meilisearch's limit on a document id, in bytes.
const maxMeiliDocID = 511

// meiliDocID maps one of our ids to a Meilisearch document id, which may
// hold only [A-Za-z0-9_-]: those bytes stay as they are, but for '_', which
// with every other byte becomes _XX (upper-case hex). ObjectIds and UUIDs
// pass unchanged; the mapping is reversible (meiliOurID).
func meiliDocID(id string) (string, error) {
	if id == "" {
		return "", errors.New("empty id")
	}
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c == '-' || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "_%02X", c)
	}
	if b.Len() > maxMeiliDocID {
		return "", fmt.Errorf("id %.40q… is longer than Meilisearch allows once escaped", id)
	}
	return b.String(), nil
}

// meiliOurID reverses meiliDocID.
func meiliOurID(key string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		if key[i] != '_' {
			b.WriteByte(key[i])
			continue
		}
		if i+2 >= len(key) || !isUpperHex(key[i+1]) || !isUpperHex(key[i+2]) {
			return "", fmt.Errorf("document id %q was not written by this backend", key)
		}
		b.WriteByte(unhex(key[i+1])<<4 | unhex(key[i+2]))
		i += 2
	}
	return b.String(), nil
}

func isUpperHex(c byte) bool { return ('0' <= c && c <= '9') || ('A' <= c && c <= 'F') }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'A' + 10
}

// meiliDocument is the JSON object Meilisearch stores for d: text and
// keyword fields as strings (one value) or arrays, sortable fields as
// numbers (dates in Unix milliseconds, since Meilisearch compares numbers,
// not dates) and the boost.
func meiliDocument(s Schema, d Document) (map[string]any, error) {
	key, err := meiliDocID(d.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{meiliIDAttr: key, meiliAllAttr: meiliAllValue}
	put := func(name string) error {
		v, ok := d.Fields[name]
		if !ok || v == nil {
			return nil
		}
		t, err := texts(v)
		if err != nil {
			return fmt.Errorf("field %s: %w", name, err)
		}
		if len(t) == 1 {
			out[name] = t[0]
		} else {
			out[name] = t
		}
		return nil
	}
	for _, f := range s.Searchable {
		if err := put(f.Name); err != nil {
			return nil, err
		}
	}
	for _, name := range keywordFields(s) {
		if err := put(name); err != nil {
			return nil, err
		}
	}
	for _, name := range s.Sortable {
		v, ok := d.Fields[name]
		if !ok || v == nil {
			continue
		}
		n, err := sortValue(v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, fmt.Errorf("field %s: %v is not a finite number", name, n)
		}
		out[sortField(name)] = n
	}
	if len(s.Boosts) > 0 {
		boost := 1.0
		for _, b := range s.Boosts {
			if v, ok := d.Fields[b.Field]; ok && v != nil {
				if t, err := texts(v); err == nil && contains(t, b.Value) {
					boost *= b.Factor
				}
			}
		}
		out[meiliBoostAttr] = boost
	}
	return out, nil
}
