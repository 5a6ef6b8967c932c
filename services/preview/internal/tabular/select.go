package tabular

import (
	"strconv"
	"strings"

	"github.com/relais-data/relais/pkg/sqldb"
)

// output is a column of a query's result: its key in the rows and the type
// that says how to write its values.
type output struct {
	name string
	typ  string
}

// selectSQL is the SELECT of q on t without LIMIT: its SQL, arguments and
// output columns. Only generated names (quoted) and bound values reach the
// SQL.
func (q *query) selectSQL(t *table, d sqldb.Driver) (string, []any, []output) {
	var sel []string
	var outs []output
	var groups []string
	switch {
	case len(q.aggregates) > 0:
		for i, a := range q.aggregates {
			c := sqlColumn(a.col)
			typ := t.outputType(a.col)
			expr := c
			switch a.op {
			case opGroupBy:
				groups = append(groups, c)
			case opCount:
				expr, typ = "COUNT("+c+")", TypeInt
			case opAvg:
				expr, typ = "AVG("+c+")", TypeFloat
				if d != sqldb.SQLite {
					expr = "CAST(" + expr + " AS DOUBLE PRECISION)"
				}
			case opSum:
				expr = "SUM(" + c + ")"
				if d != sqldb.SQLite && typ == TypeInt {
					expr = "CAST(" + expr + " AS BIGINT)" // not numeric nor HUGEINT
				}
			case opMin, opMax:
				expr = strings.ToUpper(a.op) + "(" + c + ")"
			}
			sel = append(sel, expr+" AS "+aggregateAlias(i))
			outs = append(outs, output{name: a.outputName(t), typ: typ})
		}
	case q.columns != nil:
		for _, col := range q.columns {
			sel = append(sel, sqlColumn(col))
			outs = append(outs, output{name: t.colName(col), typ: t.outputType(col)})
		}
	default:
		sel = append(sel, sqlColumn(-1))
		outs = append(outs, output{name: idColumn, typ: TypeInt})
		for i, c := range t.cols {
			sel = append(sel, sqlColumn(i))
			outs = append(outs, output{name: c.Name, typ: t.outputType(i)})
		}
	}

	where, args := q.where(d)
	var b strings.Builder
	if q.filterFirst {
		// MATERIALIZED: neither planner may fold it back into a walk of
		// the sort index (see plan).
		b.WriteString("WITH m AS MATERIALIZED (SELECT * FROM " + quote(t.name) + where + ") ")
		b.WriteString("SELECT " + strings.Join(sel, ", ") + " FROM m")
	} else {
		b.WriteString("SELECT " + strings.Join(sel, ", ") + " FROM " + quote(t.name) + where)
	}
	if len(groups) > 0 {
		b.WriteString(" GROUP BY " + strings.Join(groups, ", "))
	}
	b.WriteString(q.orderBy(t, d, groups))
	return b.String(), args, outs
}

// orderBy sorts by the sort arguments in their order, then by __id so that
// pages do not overlap (in the direction of the last key, which is the order
// of the last key's index entries: no extra sort); aggregated rows by their
// groups.
func (q *query) orderBy(t *table, d sqldb.Driver, groups []string) string {
	var keys []string
	for _, s := range q.sorts {
		var expr string
		if len(q.aggregates) > 0 {
			expr = aggregateAlias(q.aggregateIndex(t, s.name))
		} else {
			col, _ := t.lookupColumn(s.name) // checked by checkSorts
			expr = sqlColumn(col)
		}
		keys = append(keys, expr+direction(d, s.desc))
	}
	if len(q.aggregates) == 0 {
		desc := len(q.sorts) > 0 && q.sorts[len(q.sorts)-1].desc
		if desc {
			keys = append(keys, sqlColumn(-1)+" DESC")
		} else {
			keys = append(keys, sqlColumn(-1)+" ASC")
		}
	} else {
		for _, g := range groups {
			keys = append(keys, g+direction(d, false))
		}
	}
	if len(keys) == 0 {
		return ""
	}
	return " ORDER BY " + strings.Join(keys, ", ")
}

// direction orders NULL first ascending and last descending in every
// dialect (SQLite's native order; PostgreSQL's indexes are built so; DuckDB
// would put NULL last ascending).
func direction(d sqldb.Driver, desc bool) string {
	switch {
	case desc && d != sqldb.SQLite:
		return " DESC NULLS LAST"
	case desc:
		return " DESC"
	case d != sqldb.SQLite:
		return " ASC NULLS FIRST"
	default:
		return " ASC"
	}
}

func aggregateAlias(i int) string { return "a" + strconv.Itoa(i) }

// countSQL counts the rows q's filters keep; "" when the registry's row
// count is the answer.
func (q *query) countSQL(t *table, d sqldb.Driver) (string, []any) {
	if len(q.filters) == 0 {
		return "", nil
	}
	where, args := q.where(d)
	return "SELECT COUNT(*) FROM " + quote(t.name) + where, args
}
