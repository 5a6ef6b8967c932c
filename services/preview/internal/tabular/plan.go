package tabular

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/relais-data/relais/pkg/sqldb"
)

// broadFilterRows: an equality filter expected to keep more rows than this
// is better checked row by row while walking the sort column's index than
// used to find rows that must then all be sorted.
const broadFilterRows = 2000

// planHints steers SQLite's planner for a sorted page, which does not weigh
// LIMIT: given categorie = 'x' (50 000 rows) ORDER BY population, it would
// fetch the 50 000 rows through categorie's index and sort them, where
// walking population's index and skipping the other categories finds the
// first page after a few hundred rows. A broad equality filter gets its
// index disabled (SQLite's unary + idiom) when the first sort key has one.
// PostgreSQL's planner weighs LIMIT itself.
func (s *Store) planHints(ctx context.Context, t *table, q *query) error {
	if s.db.Driver() != sqldb.SQLite || len(q.sorts) == 0 || len(q.aggregates) > 0 || len(q.filters) == 0 {
		return nil
	}
	stats, err := s.indexStats(ctx, t)
	if err != nil {
		return err
	}
	first, _ := t.lookupColumn(q.sorts[0].name)
	if _, indexed := stats[first]; !indexed {
		return nil
	}
	for i := range q.filters {
		f := &q.filters[i]
		if f.col == first || f.isNull || (f.op != opExact && f.op != opIn) {
			continue
		}
		if per, ok := stats[f.col]; ok && per*float64(len(f.values)) > broadFilterRows {
			f.noIndex = true
		}
	}
	return nil
}

// indexStats returns, for each indexed column of t (and __id, -1), the
// average number of rows per value ANALYZE measured.
func (s *Store) indexStats(ctx context.Context, t *table) (map[int]float64, error) {
	if m, ok := s.keyRows.get(t.name); ok {
		return m, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT idx, stat FROM sqlite_stat1 WHERE tbl = ?`, t.name)
	if err != nil {
		return nil, fmt.Errorf("read index statistics of %s: %w", t.name, err)
	}
	defer rows.Close()
	m := map[int]float64{-1: 1}
	prefix := t.name + "_c"
	for rows.Next() {
		var idx, stat string
		if err := rows.Scan(&idx, &stat); err != nil {
			return nil, fmt.Errorf("read index statistics of %s: %w", t.name, err)
		}
		col, err := strconv.Atoi(strings.TrimPrefix(idx, prefix))
		fields := strings.Fields(stat)
		if err != nil || !strings.HasPrefix(idx, prefix) || len(fields) < 2 {
			continue
		}
		if per, err := strconv.ParseFloat(fields[1], 64); err == nil {
			m[col] = per
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read index statistics of %s: %w", t.name, err)
	}
	if len(m) > 1 { // else the table is not analyzed yet
		s.keyRows.put(t.name, m)
	}
	return m, nil
}
