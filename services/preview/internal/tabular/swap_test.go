package tabular

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
)

// TestReadersDuringReloads reads a resource while it is reloaded again and
// again with tables of different sizes: every read sees one whole table
// (total and rows agree with one of the loads), never a half-loaded one or
// an error (replaced tables stay a moment for the queries that looked them
// up).
func TestReadersDuringReloads(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *sqldb.DB, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		cols := []Column{{Name: "n", Type: TypeInt}, {Name: "load", Type: TypeInt}}
		load := func(size int) {
			rows := make([][]any, size)
			for i := range rows {
				rows[i] = []any{int64(i), int64(size)}
			}
			_, err := s.Load(ctx, "r", cols, nil, rowsOf(rows))
			require.NoError(t, err)
		}
		load(1000)

		var stop atomic.Bool
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 3 {
			wg.Go(func() {
				for !stop.Load() {
					body, err := s.DataQuery(ctx, "r", "n__greater=10&page_size=5", base)
					if err != nil {
						errs <- err
						return
					}
					var v struct {
						Data []struct{ Load int64 }
						Meta struct{ Total int64 }
					}
					if err := json.Unmarshal(body, &v); err != nil {
						errs <- err
						return
					}
					if want := v.Data[0].Load - 10; v.Meta.Total != want {
						errs <- fmt.Errorf("total %d in a table of %d rows", v.Meta.Total, v.Data[0].Load)
						return
					}
				}
			})
		}
		for i := range 10 {
			load(1000 + 500*(i%3))
		}
		stop.Store(true)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// The replaced tables wait for RetiredGrace; without one, the next
		// swap or Drop takes them all.
		require.Greater(t, len(dataTables(t, s)), 1)
		require.NoError(t, s.Close()) // one DuckDB database per file and process
		now := open(Options{RetiredGrace: -1})
		require.NoError(t, now.Drop(ctx, "r"))
		require.Empty(t, dataTables(t, now))
	})
}

// TestTextCleaning: NUL and invalid UTF-8, which PostgreSQL refuses, are
// cleaned in both dialects, in values and in filters.
func TestTextCleaning(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *sqldb.DB, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		_, err := s.Load(ctx, "r", []Column{{Name: "s", Type: TypeString}}, nil, rowsOf([][]any{{"a\x00b\xffc"}}))
		require.NoError(t, err)
		body, err := s.DataQuery(ctx, "r", "s__exact=a%00b%FFc", base)
		require.NoError(t, err)
		require.Contains(t, string(body), `"s": "ab\ufffdc"`)
		_, err = s.DataQuery(ctx, "r\x00", "", base)
		require.Equal(t, 404, clientError(t, err).Status)
	})
}
