package analysis

import (
	"math"
	"time"
)

// hydraTime is how hydra writes its timestamps: Python's isoformat of an
// aware UTC datetime, with microseconds.
func hydraTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000-07:00") }

// Extras returns the analysis:* extras hydra writes on a resource that this
// profile describes (see resource_metadata_api1.json): the checksum, size
// and mime type of the file, and when its parsing started and finished.
// The keys that depend on the fetch (analysis:last-modified-*), the load
// (analysis:parsing:parsing_table) and failures (analysis:parsing:error)
// are the caller's.
func (p *Profile) Extras() map[string]any {
	return map[string]any{
		"analysis:checksum":            p.Checksum,
		"analysis:content-length":      p.FileSize,
		"analysis:mime-type":           p.MimeType,
		"analysis:parsing:started_at":  hydraTime(p.StartedAt),
		"analysis:parsing:finished_at": hydraTime(p.FinishedAt),
	}
}

// CSVDetective returns the profile as csv-detective reports it and
// api-tabular serves it under "profile" (tabular_api_profile.json): the
// header, each column's format and python type (from the values and the
// name together, from the values alone, from the name alone), the columns
// of each format, per-column statistics, and the file's dialect and counts.
func (p *Profile) CSVDetective() map[string]any {
	header := make([]string, len(p.Columns))
	columns := make(map[string]any, len(p.Columns))
	fields := make(map[string]any, len(p.Columns))
	labels := make(map[string]any, len(p.Columns))
	byFormat := map[string][]string{}
	profile := make(map[string]any, len(p.Columns))
	categorical := []string{}
	for i, c := range p.Columns {
		header[i] = c.Name
		columns[c.Name] = map[string]any{"score": c.Score, "format": c.Format, "python_type": c.Type}
		fields[c.Name] = map[string]any{"score": 1, "format": c.FieldFormat, "python_type": pythonType(c.FieldFormat)}
		labels[c.Name] = map[string]any{"score": 1, "format": c.LabelFormat, "python_type": pythonType(c.LabelFormat)}
		byFormat[c.Format] = append(byFormat[c.Format], c.Name)
		profile[c.Name] = columnProfile(c)
		if isCategorical(c, p.RowCount) {
			categorical = append(categorical, c.Name)
		}
	}
	formats := make(map[string]any, len(byFormat))
	for f, names := range byFormat {
		formats[f] = names
	}
	heading, trailing := emptyEdges(p)
	return map[string]any{
		"header":           header,
		"columns":          columns,
		"columns_fields":   fields,
		"columns_labels":   labels,
		"formats":          formats,
		"profile":          profile,
		"encoding":         csvDetectiveEncoding(p.Encoding),
		"separator":        p.Delimiter,
		"categorical":      categorical,
		"total_lines":      p.RowCount,
		"nb_duplicates":    p.Duplicates,
		"header_row_idx":   p.HeaderRow,
		"heading_columns":  heading,
		"trailing_columns": trailing,
	}
}

func columnProfile(c Column) map[string]any {
	tops := make([]any, len(c.Stats.Tops))
	for i, t := range c.Stats.Tops {
		tops[i] = map[string]any{"value": t.Value, "count": t.Count}
	}
	m := map[string]any{
		"tops":              tops,
		"nb_distinct":       c.Stats.Distinct,
		"nb_missing_values": c.Stats.Nulls,
	}
	switch c.Type {
	case "int": // csv-detective casts an int column's statistics to int
		if c.Stats.Min != nil {
			m["min"], m["max"] = c.Stats.Min, c.Stats.Max
			m["mean"], m["std"] = int64(math.Round(c.Stats.Mean)), int64(math.Round(c.Stats.Std))
		}
	case "float":
		if c.Stats.Min != nil {
			m["min"], m["max"], m["mean"], m["std"] = c.Stats.Min, c.Stats.Max, c.Stats.Mean, c.Stats.Std
		}
	}
	return m
}

// isCategorical follows csv-detective: at most 25 distinct values, and few
// relative to the rows (at most 5 %).
func isCategorical(c Column, rows int64) bool {
	d := c.Stats.Distinct
	return c.Stats.DistinctExact && d > 0 && d <= 25 && float64(d) <= 0.05*float64(rows)
}

// emptyEdges counts the empty columns at the left and right of the table
// (csv-detective's heading_columns and trailing_columns).
func emptyEdges(p *Profile) (heading, trailing int) {
	empty := func(c Column) bool { return c.Stats.Nulls == p.RowCount }
	for heading < len(p.Columns) && empty(p.Columns[heading]) {
		heading++
	}
	if heading == len(p.Columns) {
		return heading, 0
	}
	for trailing < len(p.Columns) && empty(p.Columns[len(p.Columns)-1-trailing]) {
		trailing++
	}
	return heading, trailing
}

// csvDetectiveEncoding is the text encoding, null for workbooks.
func csvDetectiveEncoding(enc string) any {
	if enc == "" {
		return nil
	}
	return enc
}

func pythonType(format string) string {
	for _, f := range formats {
		if f.name == format {
			return f.typ
		}
	}
	return "string"
}
