package tabular

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/relais-data/relais/pkg/sqldb"
)

// operations lists what each column type allows, after api-tabular's
// TYPE_POSSIBILITIES ("compare" being less/greater and their strict forms),
// plus min and max on dates and datetimes, and text filters on JSON.
// isnull and isnotnull apply to every type.
var operations = map[string]map[string]bool{
	TypeString:   set(opExact, opDiffers, opContains, opNotContains, opIn, opNotIn, "compare", opSort, opGroupBy, opCount, opMin, opMax),
	TypeInt:      set(opExact, opDiffers, opIn, opNotIn, "compare", opSort, opGroupBy, opCount, opAvg, opMin, opMax, opSum),
	TypeFloat:    set(opExact, opDiffers, opIn, opNotIn, "compare", opSort, opGroupBy, opCount, opAvg, opMin, opMax, opSum),
	TypeBool:     set(opExact, opDiffers, opIn, opNotIn, opSort, opGroupBy, opCount),
	TypeDate:     set(opExact, opDiffers, opContains, opNotContains, opIn, opNotIn, "compare", opSort, opGroupBy, opCount, opMin, opMax),
	TypeDatetime: set(opExact, opDiffers, opContains, opNotContains, opIn, opNotIn, "compare", opSort, opGroupBy, opCount, opMin, opMax),
	TypeJSON:     set(opExact, opDiffers, opContains, opNotContains, opIn, opNotIn, opGroupBy, opCount),
}

func set(ops ...string) map[string]bool {
	m := make(map[string]bool, len(ops))
	for _, op := range ops {
		m[op] = true
	}
	return m
}

// allowed returns a 400 when op does not apply to column col's type.
func allowed(t *table, col int, op string) error {
	kind := op
	switch op {
	case opLess, opGreater, opStrictlyLess, opStrictlyGreater:
		kind = "compare"
	}
	typ := t.colType(col)
	if !operations[typ][kind] {
		return badQuery("operator '%s' does not apply to column '%s' of type %s", op, clip(t.colName(col)), typ)
	}
	return nil
}

// newFilter parses the operand of a filter for the column's type. An int
// column compared with a decimal is compared with the integer that gives the
// same rows (x <= 2.5 is x <= 2), so that its index stays usable.
func newFilter(t *table, col int, op, value string) (filter, error) {
	f := filter{col: col, op: op}
	typ := t.colType(col)
	switch op {
	case opExact, opDiffers:
		if value == "null" {
			f.isNull = true
			return f, nil
		}
	case opContains, opNotContains:
		f.values = []any{"%" + escapeLike(cleanText(value)) + "%"}
		return f, nil
	case opIn, opNotIn:
		items := splitList(value)
		if len(items) == 0 || len(items) > maxInValues {
			return f, badQuery("%s__%s takes 1 to %d values separated by commas", clip(t.colName(col)), op, maxInValues)
		}
		for _, item := range items {
			v, err := operand(typ, item)
			if err != nil {
				return f, badQuery("column '%s': %s", clip(t.colName(col)), err)
			}
			if x, ok := v.(float64); ok && typ == TypeInt {
				if x != math.Trunc(x) || math.Abs(x) >= 1<<63 {
					continue // no int equals it
				}
				v = int64(x)
			}
			f.values = append(f.values, v)
		}
		if len(f.values) == 0 { // no int equals any of them
			f.never = op == opIn
			f.op, f.isNull = opDiffers, op == opNotIn
		}
		return f, nil
	}
	v, err := operand(typ, value)
	if err != nil {
		return f, badQuery("column '%s': %s", clip(t.colName(col)), err)
	}
	if x, ok := v.(float64); ok && typ == TypeInt {
		return intFilter(f, x), nil
	}
	f.values = []any{v}
	return f, nil
}

// operand converts a filter value to the column's stored form. For an int
// column a decimal is returned as float64, for intFilter.
func operand(typ, s string) (any, error) {
	switch typ {
	case TypeInt:
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return n, nil
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(x) {
			return nil, fmt.Errorf("'%s' is not a number", clip(s))
		}
		return x, nil
	case TypeFloat:
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(x) {
			return nil, fmt.Errorf("'%s' is not a number", clip(s))
		}
		return x, nil
	case TypeBool:
		b, err := parseBool(s)
		if err != nil {
			return nil, fmt.Errorf("'%s' is not a boolean (true or false)", clip(s))
		}
		return b, nil
	case TypeDate:
		d, err := parseDate(s)
		if err != nil {
			return nil, fmt.Errorf("'%s' is not a date (YYYY-MM-DD)", clip(s))
		}
		return d, nil
	case TypeDatetime:
		d, err := parseDatetime(s)
		if err != nil {
			return nil, fmt.Errorf("'%s' is not a datetime (ISO 8601, e.g. 2024-05-31T14:30:00Z)", clip(s))
		}
		return d, nil
	}
	return cleanText(s), nil
}

// intFilter compares an int column with a decimal x.
func intFilter(f filter, x float64) filter {
	if math.IsInf(x, 0) || math.Abs(x) >= 1<<63 {
		// Beyond every int64: the comparison is all or nothing.
		below := x < 0
		switch f.op {
		case opDiffers:
			f.isNull = true
		case opLess, opStrictlyLess:
			f.never = below
			f.op, f.isNull = opDiffers, !below
		case opGreater, opStrictlyGreater:
			f.never = !below
			f.op, f.isNull = opDiffers, below
		default:
			f.never = true
		}
		return f
	}
	fl, ce := int64(math.Floor(x)), int64(math.Ceil(x))
	switch f.op {
	case opExact:
		f.never = fl != ce
		f.values = []any{fl}
	case opDiffers:
		if fl != ce {
			f.isNull = true // every non-null value differs
		}
		f.values = []any{fl}
	case opLess, opStrictlyLess: // x <= 2.5 and x < 2.5 are x <= 2; x < 2 stays
		if fl != ce {
			f.op = opLess
		}
		f.values = []any{fl}
	case opGreater, opStrictlyGreater: // x >= 2.5 and x > 2.5 are x >= 3
		if fl != ce {
			f.op = opGreater
		}
		f.values = []any{ce}
	}
	return f
}

// escapeLike escapes LIKE's wildcards with \ (the ESCAPE character used).
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// where is the WHERE clause of q's filters, values bound.
func (q *query) where(d sqldb.Driver) (string, []any) {
	if len(q.filters) == 0 {
		return "", nil
	}
	var b strings.Builder
	var args []any
	for i, f := range q.filters {
		if i == 0 {
			b.WriteString(" WHERE ")
		} else {
			b.WriteString(" AND ")
		}
		c := sqlColumn(f.col)
		if f.noIndex && d == sqldb.SQLite {
			c = "+" + c
		}
		switch {
		case f.never:
			b.WriteString("1 = 0")
		case f.isNull && f.op == opExact:
			b.WriteString(c + " IS NULL")
		case f.isNull:
			b.WriteString(c + " IS NOT NULL")
		case f.op == opContains || f.op == opNotContains:
			like := " LIKE "
			if d != sqldb.SQLite {
				like = " ILIKE "
			}
			if f.op == opNotContains {
				like = " NOT" + like
			}
			b.WriteString(c + like + `? ESCAPE '\'`)
		case f.op == opIn || f.op == opNotIn:
			in := " IN (?"
			if f.op == opNotIn {
				in = " NOT IN (?"
			}
			b.WriteString(c + in + strings.Repeat(", ?", len(f.values)-1) + ")")
		default:
			b.WriteString(c + " " + comparison[f.op] + " ?")
		}
		if !f.never && !f.isNull {
			args = append(args, f.values...)
		}
	}
	return b.String(), args
}

var comparison = map[string]string{
	opExact:           "=",
	opDiffers:         "<>",
	opLess:            "<=",
	opGreater:         ">=",
	opStrictlyLess:    "<",
	opStrictlyGreater: ">",
}
