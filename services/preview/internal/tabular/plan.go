package tabular

import "github.com/relais-data/relais/pkg/sqldb"

// filterFirstRows: a sorted page whose filters keep at most this many rows
// fetches them and sorts them; beyond, it walks the sort column's index and
// checks the filters row by row, which finds a page after a few hundred
// rows when matches are spread along the sort order.
const filterFirstRows = 5000

// plan chooses how a sorted, filtered page is read, from the exact number
// of rows its filters keep (total, which the page shows anyway). Neither
// planner can do it alone: both assume columns independent, and a filter on
// a date range sorted by a datetime that follows the date (correlated) made
// PostgreSQL walk the datetime index through nearly the whole table, and
// SQLite, which does not weigh LIMIT, fetches and sorts all 50 000 rows of a
// category rather than walk the sort index.
//
//   - A filter on the (indexed) sort column: its index does both.
//   - Few matches: the filtered rows are materialized, then sorted.
//   - Many matches, sort column indexed: on SQLite, the equality filters'
//     indexes are disabled (the unary + idiom) so that it walks the sort
//     index; PostgreSQL, told the page size, does so itself.
func (s *Store) plan(t *table, q *query, total int64) {
	if len(q.sorts) == 0 || len(q.filters) == 0 || len(q.aggregates) > 0 || s.duck != nil {
		return // DuckDB has no index to choose: it scans and keeps the top N
	}
	first, _ := t.lookupColumn(q.sorts[0].name)
	for _, f := range q.filters {
		if f.col == first && s.indexed(t, first) {
			return // one index both filters and sorts
		}
	}
	if total <= filterFirstRows {
		q.filterFirst = true
		return
	}
	if s.dialect() != sqldb.SQLite || !s.indexed(t, first) {
		return
	}
	for i := range q.filters {
		f := &q.filters[i]
		if f.col != first && (f.op == opExact || f.op == opIn) && !f.isNull {
			f.noIndex = true
		}
	}
}

// indexed reports whether column col of t has an index (__id always does).
func (s *Store) indexed(t *table, col int) bool {
	return col < 0 || (col < s.opt.IndexedColumns && t.cols[col].Type != TypeJSON)
}
