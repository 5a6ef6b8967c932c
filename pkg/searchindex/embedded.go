package searchindex

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// embedded is the Index backend on bleve, on local disk.
type embedded struct {
	schema   Schema
	index    bleve.Index
	ordinals ordinalCache
}

// OpenEmbedded opens the bleve index in dir, creating it when dir holds none.
// Documents persist across reopening. Changing the schema of an existing
// index is an error: rebuild it in a new directory.
func OpenEmbedded(dir string, schema Schema) (Index, error) {
	want, err := indexMapping(schema)
	if err != nil {
		return nil, fmt.Errorf("build mapping: %w", err)
	}
	if err := recoverSwap(dir); err != nil {
		return nil, fmt.Errorf("open search index in %s: %w", dir, err)
	}
	idx, err := bleve.Open(dir)
	switch {
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
		idx, err = bleve.New(dir, want)
		if err != nil {
			return nil, fmt.Errorf("create search index in %s: %w", dir, err)
		}
	case err != nil:
		return nil, fmt.Errorf("open search index in %s: %w", dir, err)
	default:
		if err := sameMapping(idx, want); err != nil {
			_ = idx.Close()
			return nil, fmt.Errorf("open search index in %s: %w", dir, err)
		}
	}
	return &embedded{schema: schema, index: &liveIndex{bleveIndex: idx, dir: dir}}, nil
}

func (e *embedded) Upsert(ctx context.Context, docs ...Document) error {
	batch := e.index.NewBatch()
	for _, d := range docs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.ID == "" {
			return errors.New("upsert document: empty id")
		}
		fields, err := e.indexedFields(d)
		if err != nil {
			return fmt.Errorf("upsert document %s: %w", d.ID, err)
		}
		doc, err := e.mapDocument(d.ID, fields)
		if err != nil {
			return fmt.Errorf("upsert document %s: %w", d.ID, err)
		}
		if err := batch.IndexAdvanced(doc); err != nil {
			return fmt.Errorf("upsert document %s: %w", d.ID, err)
		}
	}
	if err := e.index.Batch(batch); err != nil {
		return fmt.Errorf("upsert %d documents: %w", len(docs), err)
	}
	return nil
}

func (e *embedded) Delete(ctx context.Context, ids ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	batch := e.index.NewBatch()
	for _, id := range ids {
		batch.Delete(id)
	}
	if err := e.index.Batch(batch); err != nil {
		return fmt.Errorf("delete %d documents: %w", len(ids), err)
	}
	return nil
}

func (e *embedded) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n, err := e.index.DocCount()
	if err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return int(n), nil
}

func (e *embedded) Close() error {
	if err := e.index.Close(); err != nil {
		return fmt.Errorf("close search index: %w", err)
	}
	return nil
}

// indexedFields turns a document into the fields of the bleve mapping.
func (e *embedded) indexedFields(d Document) (map[string]any, error) {
	out := map[string]any{}
	var words []string
	for _, f := range e.schema.Searchable {
		if v, ok := d.Fields[f.Name]; ok && v != nil {
			t, err := texts(v)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
			out[f.Name] = t
			if !f.NoTypos {
				words = append(words, t...)
			}
		}
	}
	if len(words) > 0 {
		out[typoField] = words
	}
	for _, name := range keywordFields(e.schema) {
		if v, ok := d.Fields[name]; ok && v != nil {
			t, err := texts(v)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", name, err)
			}
			out[keywordField(name)] = t
		}
	}
	for _, name := range e.schema.Sortable {
		if v, ok := d.Fields[name]; ok && v != nil {
			n, err := sortValue(v)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", name, err)
			}
			out[sortField(name)] = n
		}
	}
	return out, nil
}

// texts reads a text or keyword value.
func texts(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []string:
		return v, nil
	case bool:
		return []string{strconv.FormatBool(v)}, nil
	case int:
		return []string{strconv.Itoa(v)}, nil
	case int64:
		return []string{strconv.FormatInt(v, 10)}, nil
	case float64:
		return []string{strconv.FormatFloat(v, 'f', -1, 64)}, nil
	default:
		return nil, fmt.Errorf("unsupported text value of type %T", v)
	}
}

// sortValue reads a value to sort by as a number; dates become Unix
// milliseconds.
func sortValue(v any) (float64, error) {
	switch v := v.(type) {
	case time.Time:
		return float64(v.UnixMilli()), nil
	case int:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case float64:
		return v, nil
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly} {
			if t, err := time.Parse(layout, v); err == nil {
				return float64(t.UnixMilli()), nil
			}
		}
		return 0, fmt.Errorf("%q is neither a number nor a date", v)
	default:
		return 0, fmt.Errorf("unsupported sort value of type %T", v)
	}
}
