package geo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/relais-data/relais/services/preview/internal/sheet"
)

// Properties streams the properties of a GeoJSON file's features as table
// rows for the tabular store: the first row is the header (the keys of the
// first features), then one row per feature as sheet.Records renders
// JSON values. Geometries are not read beyond their syntax.
func Properties(ctx context.Context, path string, lim sheet.Limits) (sheet.Rows, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	maxBytes := lim.MaxBytes
	if maxBytes <= 0 {
		maxBytes = sheet.DefaultLimits().MaxBytes
	}
	fr := newFeatureReader(f, maxBytes)
	next := func() (json.RawMessage, error) {
		feat, err := fr.next()
		if err != nil {
			return nil, err
		}
		p := bytes.TrimSpace(feat.Properties)
		if len(p) == 0 {
			return json.RawMessage("null"), nil
		}
		if p[0] != '{' && string(p) != "null" {
			return nil, fmt.Errorf("%w: feature %d: properties is not an object", ErrInvalid, fr.n)
		}
		return p, nil
	}
	rows, err := sheet.Records(ctx, lim, next, f.Close)
	if err != nil {
		return nil, err // Records closed f
	}
	return rows, nil
}
