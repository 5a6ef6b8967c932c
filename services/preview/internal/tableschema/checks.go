package tableschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Check is one validata custom check of the schema ("custom_checks").
type Check struct {
	Name   string
	Params map[string]any
	// Columns are the columns the check reads, main column first.
	Columns []string

	run    checkFunc
	fields []int // per column: the schema field's index, or -1
}

// checkFunc runs a check on one row. It returns the column to blame and a
// French message, or ok.
type checkFunc func(row checkRow) (col, msg string, ok bool)

// checkRow gives a check the trimmed cells of its columns, by their
// position in Check.Columns ("" when empty, missing or absent).
type checkRow struct {
	cells  []string // per schema field
	fields []int
}

func (r checkRow) get(i int) string {
	if fi := r.fields[i]; fi >= 0 {
		return r.cells[fi]
	}
	return ""
}

// parseChecks reads "custom_checks". A check Relais does not know is
// ignored with a warning, as validata does for unknown checks; a known
// check with bad parameters is an error.
func parseChecks(raw json.RawMessage, s *Schema) ([]Check, []string, error) {
	var descs []struct {
		Name   string         `json:"name"`
		Params map[string]any `json:"params"`
	}
	if err := json.Unmarshal(raw, &descs); err != nil {
		return nil, nil, errors.New("must be an array of {name, params}")
	}
	var checks []Check
	var warns []string
	for i, d := range descs {
		p := params(d.Params)
		c := Check{Name: d.Name, Params: d.Params}
		var err error
		switch d.Name {
		case "french-siret-value", "siret":
			c.Columns, err = p.strs("column")
			c.run = identifierCheck(c.Columns[0], "SIRET", validSIRET)
		case "french-siren-value", "siren":
			c.Columns, err = p.strs("column")
			c.run = identifierCheck(c.Columns[0], "SIREN", validSIREN)
		case "year-interval-value":
			c.Columns, err = p.strs("column")
			yearOnly := p.str("allow-year-only")
			c.run = yearIntervalCheck(c.Columns[0], yearOnly == "yes" || yearOnly == "true")
		case "cohesive-columns-value":
			c.Columns, err = p.strs("column", "othercolumns")
			c.run = cohesiveCheck(c.Columns)
		case "compare-columns-value":
			c.Columns, err = p.strs("column", "column2")
			op := p.str("op")
			if _, known := compareOps[op]; !known && err == nil {
				err = fmt.Errorf("unknown op %q", op)
			}
			c.run = compareCheck(c.Columns[0], op, c.Columns[1])
		case "sum-columns-value":
			c.Columns, err = p.strs("column", "columns")
			c.run = sumCheck(c.Columns[0], c.Columns[1:])
		case "nomenclature-actes-value", "nomenclature-acte":
			c.Columns, err = p.strs("column")
			c.run = nomenclatureCheck(c.Columns[0])
		case "one-of-required":
			c.Columns, err = p.strs("column1", "column2")
			c.run = oneOfRequiredCheck(c.Columns[0], c.Columns[1])
		default:
			warns = append(warns, fmt.Sprintf("contrôle personnalisé « %s » inconnu, ignoré", d.Name))
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("check %d (%s): %v", i+1, d.Name, err)
		}
		for _, col := range c.Columns {
			fi, ok := s.byName[col]
			if !ok {
				fi = -1
				warns = append(warns, fmt.Sprintf("contrôle « %s » : la colonne « %s » n'est pas dans le schéma", d.Name, col))
			}
			c.fields = append(c.fields, fi)
		}
		checks = append(checks, c)
	}
	return checks, warns, nil
}

type params map[string]any

func (p params) str(key string) string {
	s, _ := p[key].(string)
	return s
}

// strs returns the named parameters as one list of column names; each is
// a string or (othercolumns, columns) a list of strings. The list always
// has one entry per key at least, so callers may index it even on error.
func (p params) strs(keys ...string) ([]string, error) {
	var out []string
	var err error
	for _, k := range keys {
		switch v := p[k].(type) {
		case string:
			out = append(out, v)
			continue
		case []any:
			ok := len(v) > 0
			for _, x := range v {
				s, isStr := x.(string)
				ok = ok && isStr
				out = append(out, s)
			}
			if ok {
				continue
			}
		}
		if err == nil {
			err = fmt.Errorf("parameter %q must be a column name or a list of them", k)
		}
		out = append(out, "")
	}
	return out, err
}

func identifierCheck(col, what string, valid func(string) bool) checkFunc {
	return func(row checkRow) (string, string, bool) {
		v := row.get(0)
		if v == "" || valid(v) {
			return "", "", true
		}
		return col, fmt.Sprintf("La valeur n'est pas un numéro %s valide (%s chiffres et clé de contrôle)", what, map[string]string{"SIRET": "14", "SIREN": "9"}[what]), false
	}
}

// yearIntervalCheck accepts AAAA/AAAA with the first year before the
// second (and, with allow-year-only, AAAA), as validata does.
func yearIntervalCheck(col string, yearOnly bool) checkFunc {
	return func(row checkRow) (string, string, bool) {
		v := row.get(0)
		if v == "" {
			return "", "", true
		}
		a, b, interval := strings.Cut(v, "/")
		switch {
		case !interval && yearOnly && isYear(a):
			return "", "", true
		case !interval:
			if yearOnly {
				return col, "La valeur n'est ni une année (AAAA) ni un intervalle d'années (AAAA/AAAA)", false
			}
			return col, "La valeur n'est pas un intervalle d'années (AAAA/AAAA)", false
		case !isYear(a) || !isYear(b):
			return col, "L'intervalle d'années doit s'écrire AAAA/AAAA", false
		case a == b:
			return col, "Période invalide : les deux années doivent être différentes", false
		case a > b:
			return col, fmt.Sprintf("Période invalide : la deuxième année doit être postérieure à la première (%s/%s)", b, a), false
		}
		return "", "", true
	}
}

func isYear(s string) bool { return len(s) == 4 && allDigits(s) }

func cohesiveCheck(cols []string) checkFunc {
	return func(row checkRow) (string, string, bool) {
		filled := 0
		for i := range cols {
			if row.get(i) != "" {
				filled++
			}
		}
		if filled == 0 || filled == len(cols) {
			return "", "", true
		}
		return cols[0], "Les colonnes " + quoteList(cols) + " doivent être toutes renseignées ou toutes vides", false
	}
}

var compareOps = map[string]func(int) bool{
	">":  func(r int) bool { return r > 0 },
	">=": func(r int) bool { return r >= 0 },
	"<":  func(r int) bool { return r < 0 },
	"<=": func(r int) bool { return r <= 0 },
	"==": func(r int) bool { return r == 0 },
}

var opFrench = map[string]string{
	">": "supérieure à", ">=": "supérieure ou égale à", "<": "inférieure à",
	"<=": "inférieure ou égale à", "==": "égale à",
}

// compareCheck compares two filled columns as validata does: as numbers
// when both are, as text when neither is (ISO dates sort as text), and
// reports a number compared with text.
func compareCheck(col, op, col2 string) checkFunc {
	holds := compareOps[op]
	return func(row checkRow) (string, string, bool) {
		a, b := row.get(0), row.get(1)
		if a == "" || b == "" || holds == nil {
			return "", "", true
		}
		r, ok := compareText(a, b)
		if !ok {
			return col, fmt.Sprintf("La valeur de « %s » (%s) n'est pas comparable avec celle de « %s » (%s)", col, a, col2, b), false
		}
		if holds(r) {
			return "", "", true
		}
		return col, fmt.Sprintf("La valeur de « %s » (%s) doit être %s celle de « %s » (%s)", col, a, opFrench[op], col2, b), false
	}
}

func compareText(a, b string) (int, bool) {
	na, nb := decimalText(a), decimalText(b)
	switch {
	case na && nb:
		fa, errA := strconv.ParseFloat(a, 64)
		fb, errB := strconv.ParseFloat(b, 64)
		if errA != nil || errB != nil {
			return 0, false
		}
		return compare(fa, fb)
	case !na && !nb:
		return strings.Compare(a, b), true
	}
	return 0, false
}

func sumCheck(col string, cols []string) checkFunc {
	return func(row checkRow) (string, string, bool) {
		total, ok := number(row.get(0))
		if !ok {
			return "", "", true
		}
		sum := 0.0
		for i := range cols {
			n, ok := number(row.get(i + 1))
			if !ok {
				return "", "", true
			}
			sum += n
		}
		if math.Abs(sum-total) <= 1e-9*math.Max(1, math.Abs(total)) {
			return "", "", true
		}
		return col, fmt.Sprintf("La valeur de « %s » (%s) doit être la somme de %s (%s)", col, row.get(0), quoteList(cols), strconv.FormatFloat(sum, 'f', -1, 64)), false
	}
}

func number(s string) (float64, bool) {
	if s == "" || !decimalText(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func oneOfRequiredCheck(c1, c2 string) checkFunc {
	return func(row checkRow) (string, string, bool) {
		if row.get(0) != "" || row.get(1) != "" {
			return "", "", true
		}
		return c1, fmt.Sprintf("Au moins l'une des colonnes « %s » ou « %s » doit être renseignée", c1, c2), false
	}
}

func quoteList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = "« " + c + " »"
	}
	return strings.Join(q, ", ")
}
