package searchindex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
)

// errSchemaChanged says the index on disk was built for another schema.
var errSchemaChanged = errors.New("index was built with another schema")

// sameMapping compares the mapping stored in an index with the one a schema
// builds.
func sameMapping(idx bleve.Index, want *mapping.IndexMappingImpl) error {
	got, err := json.Marshal(idx.Mapping())
	if err != nil {
		return fmt.Errorf("read stored mapping: %w", err)
	}
	exp, err := json.Marshal(want)
	if err != nil {
		return fmt.Errorf("encode mapping: %w", err)
	}
	if !bytes.Equal(got, exp) {
		return errSchemaChanged
	}
	return nil
}
