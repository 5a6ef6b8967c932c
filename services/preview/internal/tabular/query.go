package tabular

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Limits on a query string, so that no request makes an unbounded amount
// of SQL.
const (
	maxArguments = 256
	maxInValues  = 1000
	maxPage      = 1 << 40 // keeps (page-1)*page_size far from overflowing
)

// query is a parsed api-tabular query string.
type query struct {
	page, pageSize int
	columns        []int // the `columns` selection (-1 is __id); nil: all
	filters        []filter
	sorts          []sortKey
	aggregates     []aggregate // groupby and aggregators, in argument order
	links          []string    // the raw arguments but page and page_size, for next/prev
	filterFirst    bool        // sort the filtered rows rather than walk an index (see plan)
}

// Operators of filters, sorts and aggregates, as api-tabular spells them.
const (
	opExact           = "exact"
	opDiffers         = "differs"
	opContains        = "contains"
	opIn              = "in"
	opLess            = "less"
	opGreater         = "greater"
	opStrictlyLess    = "strictly_less"
	opStrictlyGreater = "strictly_greater"
	opNotContains     = "notcontains"
	opNotIn           = "notin"
	opIsNull          = "isnull"
	opIsNotNull       = "isnotnull"
	opSort            = "sort"
	opGroupBy         = "groupby"
	opCount           = "count"
	opAvg             = "avg"
	opMin             = "min"
	opMax             = "max"
	opSum             = "sum"
)

type filter struct {
	col    int
	op     string
	isNull bool  // __exact=null or __differs=null
	values []any // the operand(s), converted to the column's type
	never  bool  // the filter matches no row (e.g. an int column __exact=1.5)
	// noIndex keeps SQLite from using the column's index (see plan).
	noIndex bool
}

type sortKey struct {
	name string // a column, or an aggregate's output name
	desc bool
}

type aggregate struct {
	col int
	op  string // groupby, count, avg, min, max, sum
}

// outputName is the key of an aggregate in the rows: the column for
// groupby, "<column>__<op>" otherwise (api-tabular's alias).
func (a aggregate) outputName(t *table) string {
	if a.op == opGroupBy {
		return t.colName(a.col)
	}
	return t.colName(a.col) + "__" + a.op
}

// parseQuery parses the raw query string of a data request on t, arguments
// in their order. Errors are *Error 400s.
func parseQuery(raw string, t *table, maxPageSize int) (*query, error) {
	q := &query{page: 1, pageSize: DefaultPageSize}
	segments := strings.Split(raw, "&")
	if len(segments) > maxArguments {
		return nil, badQuery("Too many arguments: at most %d", maxArguments)
	}
	seenColumns := false
	for _, seg := range segments {
		if seg == "" {
			continue
		}
		rawKey, rawValue, hasValue := strings.Cut(seg, "=")
		key, err1 := url.QueryUnescape(rawKey)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil {
			return nil, malformed("argument '%s' could not be parsed", clip(seg))
		}
		switch key {
		case "page", "page_size":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 {
				return nil, badQuery("%s must be a positive integer, not '%s'", key, clip(value))
			}
			if key == "page" {
				q.page = n
			} else if n > maxPageSize {
				return nil, badQuery("Page size exceeds allowed maximum: %d", maxPageSize)
			} else {
				q.pageSize = n
			}
			continue
		case "columns":
			if !hasValue || seenColumns {
				return nil, malformed("argument '%s' could not be parsed", clip(seg))
			}
			seenColumns = true
			cols, err := parseColumns(value, t)
			if err != nil {
				return nil, err
			}
			q.columns = cols
		default:
			if err := q.parseOperation(t, seg, key, value, hasValue); err != nil {
				return nil, err
			}
		}
		q.links = append(q.links, seg)
	}
	if q.columns != nil && len(q.aggregates) > 0 {
		return nil, malformed("the argument `columns` cannot be set alongside aggregators")
	}
	if err := q.checkSorts(t); err != nil {
		return nil, err
	}
	if q.page > maxPage {
		return nil, badQuery("page %d is out of range", q.page)
	}
	return q, nil
}

// parseOperation parses <column>__<operator>[=<value>]: the column is
// everything before the last "__", so that names may hold "__".
func (q *query) parseOperation(t *table, seg, key, value string, hasValue bool) error {
	i := strings.LastIndex(key, "__")
	if i < 0 {
		return malformed("argument '%s' could not be parsed", clip(seg))
	}
	name, op := key[:i], strings.ToLower(key[i+2:])
	switch op {
	case opGroupBy, opCount, opAvg, opMin, opMax, opSum:
		// Aggregators take no value; "x__groupby=" (what url.Values
		// encodes) is accepted too.
		if value != "" {
			return malformed("argument '%s' could not be parsed", clip(seg))
		}
		col, err := resolve(t, name)
		if err != nil {
			return err
		}
		if err := allowed(t, col, op); err != nil {
			return err
		}
		q.aggregates = append(q.aggregates, aggregate{col: col, op: op})
		return nil
	case opSort:
		switch strings.ToLower(value) {
		case "asc":
			q.sorts = append(q.sorts, sortKey{name: name})
		case "desc":
			q.sorts = append(q.sorts, sortKey{name: name, desc: true})
		default:
			return badQuery("%s must be asc or desc, not '%s'", clip(key), clip(value))
		}
		return nil
	case opIsNull, opIsNotNull:
		// Like aggregators, they take no value.
		if value != "" {
			return malformed("argument '%s' could not be parsed", clip(seg))
		}
		col, err := resolve(t, name)
		if err != nil {
			return err
		}
		f := filter{col: col, op: opDiffers, isNull: true} // IS NOT NULL
		if op == opIsNull {
			f.op = opExact // IS NULL
		}
		q.filters = append(q.filters, f)
		return nil
	case opExact, opDiffers, opContains, opNotContains, opIn, opNotIn, opLess, opGreater, opStrictlyLess, opStrictlyGreater:
		if !hasValue {
			return malformed("argument '%s' could not be parsed", clip(seg))
		}
		col, err := resolve(t, name)
		if err != nil {
			return err
		}
		if err := allowed(t, col, op); err != nil {
			return err
		}
		f, err := newFilter(t, col, op, value)
		if err != nil {
			return err
		}
		q.filters = append(q.filters, f)
		return nil
	}
	return malformed("argument '%s' could not be parsed", clip(seg))
}

// checkSorts resolves the sort keys once every argument is known: with
// aggregates, a key must be a grouped column or an aggregate's output name.
func (q *query) checkSorts(t *table) error {
	for _, s := range q.sorts {
		if len(q.aggregates) > 0 {
			if q.aggregateIndex(t, s.name) < 0 {
				return badQuery("cannot sort on '%s': with aggregators, sort on a __groupby column or an aggregate (e.g. col__count__sort=desc)", clip(s.name))
			}
			continue
		}
		col, err := resolve(t, s.name)
		if err != nil {
			return err
		}
		if err := allowed(t, col, opSort); err != nil {
			return err
		}
	}
	return nil
}

// aggregateIndex is the index of the aggregate whose output is called name,
// or -1.
func (q *query) aggregateIndex(t *table, name string) int {
	for i, a := range q.aggregates {
		if a.outputName(t) == name {
			return i
		}
	}
	return -1
}

func resolve(t *table, name string) (int, error) {
	col, ok := t.lookupColumn(name)
	if !ok {
		return 0, badQuery("column '%s' does not exist", clip(name))
	}
	return col, nil
}

// parseColumns parses the `columns` selection: names separated by commas, a
// name holding a comma written in double quotes.
func parseColumns(value string, t *table) ([]int, error) {
	names := splitList(value)
	if len(names) == 0 {
		return nil, badQuery("columns must name at least one column")
	}
	cols := make([]int, 0, len(names))
	for _, n := range names {
		col, err := resolve(t, n)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(cols, col) { // a key once per row
			cols = append(cols, col)
		}
	}
	return cols, nil
}

// splitList splits a comma-separated list as PostgREST does for in.(…) and
// select: an item in double quotes may hold commas, and \" a quote.
func splitList(s string) []string {
	var items []string
	var cur strings.Builder
	quoted, inQuotes := false, false
	flush := func() {
		if cur.Len() > 0 || quoted {
			items = append(items, cur.String())
		}
		cur.Reset()
		quoted = false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuotes && c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '"':
			inQuotes = !inQuotes
			quoted = true
		case c == ',' && !inQuotes:
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return items
}
