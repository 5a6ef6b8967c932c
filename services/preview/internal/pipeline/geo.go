package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/relais-data/relais/services/preview/internal/analysis"
	"github.com/relais-data/relais/services/preview/internal/geo"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/sheet"
)

// locate finds the coordinate columns of the table from the formats the
// analysis gave them (or their usual names).
func locate(prof *analysis.Profile) (geo.Location, bool) {
	header := make([]string, len(prof.Columns))
	formats := make([]string, len(prof.Columns))
	for i, c := range prof.Columns {
		header[i], formats[i] = c.Name, c.Format
	}
	return geo.Locate(header, formats)
}

// MapData is the JSON body of a resource's map data, but its features
// (streamed as "data").
type MapData struct {
	Kind          string           `json:"type"` // geojson | points
	BBox          [4]float64       `json:"bbox"`
	Features      int64            `json:"features"`
	GeometryTypes map[string]int64 `json:"geometry_types"`
	// Truncated: the table has more rows than the map shows.
	Truncated bool `json:"truncated,omitempty"`
}

// NewMapData describes a summary.
func NewMapData(kind string, s geo.Summary) MapData {
	return MapData{Kind: kind, BBox: s.BBox, Features: s.Features, GeometryTypes: s.GeometryTypes}
}

// geoJSON simplifies a GeoJSON file for display and keeps it in rec.
func (p *Pipeline) geoJSON(ctx context.Context, path string, prof *analysis.Profile, rec *records.Record) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	switch prof.Container {
	case "gzip":
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("map data: %w", err)
		}
		r = io.LimitReader(zr, p.opts.Limits.MaxBytes)
	case "zip":
		return fmt.Errorf("map data: GeoJSON in a zip archive is not simplified")
	}
	var fc bytes.Buffer
	sum, err := geo.Simplify(ctx, r, &fc, geo.Options{})
	if err != nil {
		return fmt.Errorf("map data: %w", err)
	}
	head, err := json.Marshal(NewMapData(records.MapGeoJSON, sum))
	if err != nil {
		return err
	}
	// {"type":…, …, "data": <the simplified FeatureCollection>}
	body := append(head[:len(head)-1], `,"data":`...)
	body = append(append(body, bytes.TrimSpace(fc.Bytes())...), '}')
	rec.MapKind, rec.GeoJSON = records.MapGeoJSON, body
	return nil
}

// propertyRows streams a GeoJSON file's features' properties as the
// table's rows.
func (p *Pipeline) propertyRows(ctx context.Context, path string, prof *analysis.Profile) (rowIter, []analysis.Column, error) {
	lim := sheet.Limits{
		MaxBytes: p.opts.Limits.MaxBytes, MaxRows: p.opts.Limits.MaxRows,
		MaxColumns: p.opts.Limits.MaxColumns, MaxCellBytes: p.opts.Limits.MaxCellBytes,
	}
	rows, err := geo.Properties(ctx, path, lim)
	if err != nil {
		return nil, nil, err
	}
	header, err := rows.Next()
	if err == io.EOF {
		rows.Close()
		return nil, nil, fmt.Errorf("no features with properties")
	}
	if err != nil {
		rows.Close()
		return nil, nil, err
	}
	// The analysis's columns when it read the same properties; else text.
	cols := prof.Columns
	if len(cols) != len(header) {
		cols = make([]analysis.Column, len(header))
		for i, h := range header {
			cols[i] = analysis.Column{Name: h, Type: "string"}
		}
	}
	return rows, cols, nil
}
