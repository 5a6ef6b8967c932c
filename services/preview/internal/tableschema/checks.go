package tableschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Check is one validata custom check of the schema ("custom_checks").
type Check struct {
	Name   string
	Params map[string]any
	// Columns are the columns the check reads, main column first.
	Columns []string

	run checkFunc
}

// checkFunc runs a check on one row; get returns a column's trimmed cell
// ("" when empty or absent). It returns the column to blame and a French
// message, or ok.
type checkFunc func(get func(col string) string) (col, msg string, ok bool)

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
			c.run = yearIntervalCheck(c.Columns[0], p.str("allow-year-only") == "yes")
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
			if s.Field(col) == nil {
				warns = append(warns, fmt.Sprintf("contrôle « %s » : la colonne « %s » n'est pas dans le schéma", d.Name, col))
			}
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
	return func(get func(string) string) (string, string, bool) {
		v := get(col)
		if v == "" || valid(v) {
			return "", "", true
		}
		return col, fmt.Sprintf("La valeur n'est pas un numéro %s valide (%s chiffres et clé de contrôle)", what, map[string]string{"SIRET": "14", "SIREN": "9"}[what]), false
	}
}

func yearIntervalCheck(col string, yearOnly bool) checkFunc {
	return func(get func(string) string) (string, string, bool) {
		v := get(col)
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
		case a >= b:
			return col, fmt.Sprintf("L'année de début (%s) doit précéder l'année de fin (%s)", a, b), false
		}
		return "", "", true
	}
}

func isYear(s string) bool { return len(s) == 4 && allDigits(s) }

func cohesiveCheck(cols []string) checkFunc {
	return func(get func(string) string) (string, string, bool) {
		filled := 0
		for _, c := range cols {
			if get(c) != "" {
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
	"!=": func(r int) bool { return r != 0 },
}

// compareCheck compares two filled columns as numbers, else as ISO dates;
// values of other kinds are left to the type checks.
func compareCheck(col, op, col2 string) checkFunc {
	holds := compareOps[op]
	return func(get func(string) string) (string, string, bool) {
		a, b := get(col), get(col2)
		if a == "" || b == "" || holds == nil {
			return "", "", true
		}
		r, ok := compareText(a, b)
		if !ok || holds(r) {
			return "", "", true
		}
		return col, fmt.Sprintf("La valeur de « %s » (%s) doit être %s celle de « %s » (%s)", col, a, opFrench[op], col2, b), false
	}
}

var opFrench = map[string]string{
	">": "supérieure à", ">=": "supérieure ou égale à", "<": "inférieure à",
	"<=": "inférieure ou égale à", "==": "égale à", "!=": "différente de",
}

func compareText(a, b string) (int, bool) {
	if fa, errA := strconv.ParseFloat(a, 64); errA == nil && decimalText(a) {
		if fb, errB := strconv.ParseFloat(b, 64); errB == nil && decimalText(b) {
			return compare(fa, fb)
		}
		return 0, false
	}
	ta, errA := time.Parse("2006-01-02", a)
	tb, errB := time.Parse("2006-01-02", b)
	if errA != nil || errB != nil {
		return 0, false
	}
	return ta.Compare(tb), true
}

func sumCheck(col string, cols []string) checkFunc {
	return func(get func(string) string) (string, string, bool) {
		total, ok := number(get(col))
		if !ok {
			return "", "", true
		}
		sum := 0.0
		for _, c := range cols {
			n, ok := number(get(c))
			if !ok {
				return "", "", true
			}
			sum += n
		}
		if math.Abs(sum-total) <= 1e-9*math.Max(1, math.Abs(total)) {
			return "", "", true
		}
		return col, fmt.Sprintf("La valeur de « %s » (%s) doit être la somme de %s (%s)", col, get(col), quoteList(cols), strconv.FormatFloat(sum, 'f', -1, 64)), false
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
	return func(get func(string) string) (string, string, bool) {
		if get(c1) != "" || get(c2) != "" {
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
