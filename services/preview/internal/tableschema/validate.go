package tableschema

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Validate checks a table against the schema: the header, then each row
// from next (io.EOF ends the table; any other error aborts validation and
// is returned). Rows are strings as read from the file; memory stays
// constant but for "unique" constraints, bounded by lim.MaxUniqueValues.
func (s *Schema) Validate(ctx context.Context, header []string, next func() ([]string, error), lim Limits) (*Report, error) {
	lim = lim.orDefaults()
	r := &Report{Stats: Stats{Fields: len(s.Fields), Columns: len(header), ByType: map[string]int64{}}, Errors: []Issue{}, Warnings: []Issue{}}
	rp := &reporter{r: r, maxErrors: lim.MaxErrors}
	for _, w := range s.Warnings {
		rp.warn(Issue{Type: "schema-warning", Tag: tagStructure, Message: "Schéma : " + w})
	}
	v := &validation{s: s, lim: lim, rp: rp, cols: s.matchHeader(header, rp)}
	v.unique = make([]map[string]int64, len(s.Fields))
	for i, f := range s.Fields {
		if f.Constraints.Unique && v.cols.colOf[i] >= 0 {
			v.unique[i] = map[string]int64{}
		}
	}
	v.cells = make([]string, len(s.Fields))
	v.bad = make([]bool, len(s.Fields))

	for {
		if r.Stats.Rows%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if lim.MaxRows > 0 && r.Stats.Rows >= lim.MaxRows {
			if _, err := next(); err != io.EOF {
				r.Truncated = true
				rp.warn(Issue{Type: "row-limit", Tag: tagBody,
					Message: fmt.Sprintf("Validation arrêtée après %d lignes", lim.MaxRows)})
			}
			break
		}
		row, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read row %d: %w", r.Stats.Rows+2+lim.RowOffset, err)
		}
		r.Stats.Rows++
		v.row(r.Stats.Rows+1+lim.RowOffset, row)
	}
	r.Valid = r.Stats.Errors == 0
	return r, nil
}

// validation is the state of one Validate call.
type validation struct {
	s      *Schema
	lim    Limits
	rp     *reporter
	cols   columns
	unique []map[string]int64 // per field: value key → first row number
	full   []bool             // per field: unique stopped at its limit
	cells  []string           // per field: this row's cell, "" when missing
	bad    []bool             // per field: this row's cell has a type error or is too long
	items  []violation
}

func (v *validation) row(n int64, row []string) {
	if blank(row) {
		v.rp.error(Issue{Type: "blank-row", Tag: tagStructure, RowNumber: n,
			Message: "La ligne est vide"})
		return
	}
	for i := len(v.cols.field); i < len(row); i++ {
		v.rp.error(Issue{Type: "extra-cell", Tag: tagStructure, RowNumber: n, FieldNumber: i + 1, Cell: clip(row[i]),
			Message: fmt.Sprintf("La ligne a %d cellules alors que l'en-tête a %d colonnes", len(row), len(v.cols.field))})
	}
	for fi, f := range v.s.Fields {
		v.cells[fi], v.bad[fi] = "", false
		col := v.cols.colOf[fi]
		if col < 0 {
			continue
		}
		if col >= len(row) {
			v.rp.error(Issue{Type: "missing-cell", Tag: tagStructure, RowNumber: n, FieldNumber: col + 1, FieldName: f.Name,
				Message: fmt.Sprintf("La ligne a %d cellules alors que l'en-tête a %d colonnes : la cellule « %s » manque", len(row), len(v.cols.field), f.Name)})
			continue
		}
		cell := row[col]
		if len(cell) > v.lim.MaxCellBytes {
			v.rp.error(Issue{Type: "cell-too-long", Tag: tagBody, RowNumber: n, FieldNumber: col + 1, FieldName: f.Name, Cell: clip(cell),
				Message: fmt.Sprintf("La cellule fait %d octets, au-delà de la limite de %d", len(cell), v.lim.MaxCellBytes)})
			v.bad[fi] = true
			continue
		}
		missing := v.s.missing(f, cell)
		if !missing {
			v.cells[fi] = strings.TrimSpace(cell)
		}
		v.bad[fi] = !v.cell(n, col, f, cell, missing)
	}
	v.checks(n)
}

// missing reports whether cell is one of the field's missing values.
func (s *Schema) missing(f *Field, cell string) bool {
	mv := s.MissingValues
	if f.MissingValues != nil {
		mv = f.MissingValues
	}
	for _, m := range mv {
		if cell == m {
			return true
		}
	}
	return false
}

// cell checks one cell; it returns false when the cell is not of the
// field's type, so that custom checks leave it alone (frictionless gives
// them no value for it either).
func (v *validation) cell(n int64, col int, f *Field, cell string, missing bool) bool {
	base := Issue{Tag: tagBody, RowNumber: n, FieldNumber: col + 1, FieldName: f.Name, Cell: clip(cell)}
	if missing {
		if f.Constraints.Required {
			is := base
			is.Type, is.Constraint, is.Message = "constraint-error", "required", "Valeur manquante : la colonne est obligatoire"
			v.rp.error(is)
		}
		return true
	}
	val, ok := f.cast.cast(cell)
	if !ok {
		is := base
		is.Type = "type-error"
		is.Message = fmt.Sprintf("La valeur n'est pas %s", f.cast.expect)
		if f.Example != "" {
			is.Message += fmt.Sprintf(" (exemple : %s)", f.Example)
		}
		v.rp.error(is)
		return false
	}
	v.items = f.check(cell, val, v.items[:0])
	if f.ArrayItem != nil {
		v.items = f.ArrayItem.checkItems(val, v.items)
	}
	for _, bad := range v.items {
		is := base
		is.Type, is.Constraint, is.Message = "constraint-error", bad.constraint, bad.message
		v.rp.error(is)
	}
	if set := v.unique[f.index]; set != nil {
		v.checkUnique(base, f, valueKey(val), set)
	}
	return true
}

func (v *validation) checkUnique(base Issue, f *Field, key string, set map[string]int64) {
	if first, dup := set[key]; dup {
		base.Type, base.Constraint = "unique-error", "unique"
		base.Message = fmt.Sprintf("Valeur déjà présente ligne %d : les valeurs de la colonne doivent être uniques", first)
		v.rp.error(base)
		return
	}
	if len(set) >= v.lim.MaxUniqueValues {
		if v.full == nil {
			v.full = make([]bool, len(v.s.Fields))
		}
		if !v.full[f.index] {
			v.full[f.index] = true
			v.rp.warn(Issue{Type: "unique-limit", Tag: tagBody, RowNumber: base.RowNumber, FieldName: f.Name,
				Message: fmt.Sprintf("Unicité de « %s » vérifiée sur les %d premières valeurs distinctes seulement", f.Name, v.lim.MaxUniqueValues)})
		}
		return
	}
	set[key] = base.RowNumber
}

// checkItems checks each item of an array value against arrayItem.
func (item *Field) checkItems(val any, out []violation) []violation {
	arr, _ := val.([]any)
	for i, x := range arr {
		text, isStr := x.(string)
		if !isStr && x != nil {
			text = valueKey(x)
		}
		if x == nil || text == "" {
			if item.Constraints.Required {
				out = append(out, violation{"arrayItem", fmt.Sprintf("L'élément %d du tableau est vide", i+1)})
			}
			continue
		}
		iv, ok := item.cast.cast(text)
		if !ok {
			out = append(out, violation{"arrayItem", fmt.Sprintf("L'élément %d du tableau (%s) n'est pas %s", i+1, text, item.cast.expect)})
			continue
		}
		for _, bad := range item.check(text, iv, nil) {
			out = append(out, violation{"arrayItem", fmt.Sprintf("L'élément %d du tableau (%s) : %s", i+1, text, lowerFirst(bad.message))})
		}
	}
	return out
}

func (v *validation) checks(n int64) {
	for _, c := range v.s.Checks {
		if fi := c.fields[0]; fi >= 0 && v.cols.colOf[fi] < 0 {
			continue // the column is missing: the header error says it
		}
		if v.anyBad(c.fields) {
			continue // a cell of the wrong type: its type error says it
		}
		col, msg, ok := c.run(checkRow{cells: v.cells, fields: c.fields})
		if ok {
			continue
		}
		is := Issue{Type: c.Name, Tag: tagBody, RowNumber: n, FieldName: col, Message: msg}
		if f := v.s.Field(col); f != nil {
			is.Cell = clip(v.cells[f.index])
			is.FieldNumber = v.cols.colOf[f.index] + 1
		}
		v.rp.error(is)
	}
}

func (v *validation) anyBad(fields []int) bool {
	for _, fi := range fields {
		if fi >= 0 && v.bad[fi] {
			return true
		}
	}
	return false
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// clip keeps the first 200 bytes of a cell for the report.
func clip(s string) string {
	const most = 200
	if len(s) <= most {
		return s
	}
	cut := most
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = []rune(strings.ToLower(string(r[0])))[0]
	return string(r)
}
