package tabular

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
)

// TestPlans checks that both ways of reading a sorted page (see plan) give
// the rows a plain reading gives: a broad filter (walk the sort index) and
// a narrow one (sort the matches), ascending and descending, with ties.
func TestPlans(t *testing.T) {
	const n = 3 * filterFirstRows
	type row struct{ id, cat, v int64 }
	var rows [][]any
	var all []row
	for i := int64(1); i <= n; i++ {
		r := row{id: i, cat: i % 3, v: (i * 7919) % 1000} // ties on v
		all = append(all, r)
		rows = append(rows, []any{r.cat, r.v})
	}
	forEachEngine(t, func(t *testing.T, db *sqldb.DB, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		_, err := s.Load(ctx, "r", []Column{{Name: "cat", Type: TypeInt}, {Name: "v", Type: TypeInt}}, nil, rowsOf(rows))
		require.NoError(t, err)
		for _, c := range []struct {
			query string
			keep  func(row) bool
			desc  bool
		}{
			{"cat__exact=1&v__sort=desc&page=3&page_size=7", func(r row) bool { return r.cat == 1 }, true},
			{"cat__in=0,2&v__sort=asc&page=40&page_size=50", func(r row) bool { return r.cat != 1 }, false},
			{"v__less=10&cat__exact=2&v__sort=desc&page=2&page_size=9", func(r row) bool { return r.v <= 10 && r.cat == 2 }, true},
			{"v__greater=500&v__sort=asc&page=5", func(r row) bool { return r.v >= 500 }, false},
		} {
			var want []any
			for _, r := range all {
				if c.keep(r) {
					want = append(want, r)
				}
			}
			slices.SortStableFunc(want, func(a, b any) int {
				x, y := a.(row), b.(row)
				d := int(x.v - y.v)
				if d == 0 {
					d = int(x.id - y.id)
				}
				if c.desc {
					return -d
				}
				return d
			})
			v := data(t, s, "r", c.query)
			meta := v["meta"].(map[string]any)
			require.EqualValues(t, len(want), meta["total"], c.query)
			page, size := int(meta["page"].(float64)), int(meta["page_size"].(float64))
			var ids []any
			for _, r := range want[min(len(want), (page-1)*size):min(len(want), page*size)] {
				ids = append(ids, float64(r.(row).id))
			}
			require.Equal(t, ids, column(v, "__id"), fmt.Sprint(c.query))
		}
	})
}
