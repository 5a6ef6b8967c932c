package tabular

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
)

// TestInjection loads a table whose column names, values and resource id
// are SQL, and queries it with SQL in every argument: the names never reach
// SQL (columns are c0, c1, …) and the values are bound, so every query gives
// the rows a literal reading gives, and every table survives.
func TestInjection(t *testing.T) {
	hostile := []string{
		`x"; DROP TABLE tabular_tables; --`,
		`'); DELETE FROM tabular_tables; --`,
		`a" = "a" OR "1`,
		"n\x00ul",
		`a__b`,
		`"`,
		``,
	}
	forEachEngine(t, func(t *testing.T, db *sqldb.DB, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		cols := make([]Column, len(hostile))
		for i, n := range hostile {
			cols[i] = Column{Name: n, Type: TypeString}
		}
		rid := `r'; DROP TABLE tabular_tables; --`
		values := [][]any{
			{`' OR '1'='1`, `%`, `_`, `\`, `x`, `"`, `y`},
			{`plain`, `100%`, `a_b`, `a\b`, `x`, `'`, `z`},
		}
		_, err := s.Load(ctx, rid, cols, json.RawMessage(`{"header": []}`), rowsOf(values))
		require.NoError(t, err)

		ids := func(args url.Values) []any {
			t.Helper()
			body, err := s.Data(ctx, rid, args, base)
			require.NoError(t, err, args)
			var v map[string]any
			require.NoError(t, json.Unmarshal(body, &v))
			return nonNil(column(v, "__id"))
		}
		require.Equal(t, []any{1.0}, ids(url.Values{hostile[0] + "__exact": {`' OR '1'='1`}}))
		require.Equal(t, []any{}, ids(url.Values{hostile[0] + "__exact": {`' OR 1=1 --`}}))
		require.Equal(t, []any{1.0, 2.0}, ids(url.Values{hostile[1] + "__contains": {`%`}}))
		require.Equal(t, []any{1.0}, ids(url.Values{hostile[1] + "__exact": {`%`}}))
		require.Equal(t, []any{2.0}, ids(url.Values{hostile[2] + "__contains": {`a_`}}))
		require.Equal(t, []any{2.0}, ids(url.Values{hostile[3] + "__contains": {`a\`}}))
		require.Equal(t, []any{1.0, 2.0}, ids(url.Values{hostile[4] + "__in": {`x,"); DROP TABLE tabular_tables; --"`}}))
		require.Equal(t, []any{2.0}, ids(url.Values{hostile[5] + "__exact": {`'`}}))
		require.Equal(t, []any{2.0, 1.0}, ids(url.Values{hostile[6] + "__sort": {"desc"}}))
		require.Equal(t, []any{2.0, 1.0}, ids(url.Values{hostile[0] + "__sort": {"desc"}}))

		body, err := s.Data(ctx, rid, url.Values{hostile[0] + "__groupby": {""}, hostile[1] + "__count": {""}, hostile[1] + "__count__sort": {"asc"}}, base)
		require.NoError(t, err)
		var v map[string]any
		require.NoError(t, json.Unmarshal(body, &v))
		require.Len(t, v["data"], 2)
		require.Contains(t, v["data"].([]any)[0], hostile[1]+"__count")

		body, err = s.Data(ctx, rid, url.Values{"columns": {`"` + `\"` + `",` + `"a__b"`}}, base)
		require.NoError(t, err)
		require.Contains(t, string(body), `{"\"": "\"", "a__b": "x"}`)

		// Every table is still there and intact.
		require.Len(t, dataTables(t, s), 1)
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tabular_tables`).Scan(&n))
		require.Equal(t, 1, n)
		_, err = s.Profile(ctx, rid)
		require.NoError(t, err)
	})
}
