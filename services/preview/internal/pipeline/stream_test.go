package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/preview/internal/analysis"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// writeCSV writes rows lines made by line(i) under a header, in a temp file.
func writeCSV(t *testing.T, header string, rows int, line func(i int) string) string {
	var b bytes.Buffer
	b.WriteString(header + "\n")
	for i := range rows {
		b.WriteString(line(i) + "\n")
	}
	path := filepath.Join(t.TempDir(), "f.csv")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
	return path
}

// openStore is a tabular store on db.
func openStore(t *testing.T, db *sqldb.DB) *tabular.Store {
	s, err := tabular.Open(context.Background(), db)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// export is the table of rid as CSV.
func export(t *testing.T, s *tabular.Store, rid string) string {
	var b bytes.Buffer
	require.NoError(t, s.Export(context.Background(), rid, nil, "csv", &b))
	return b.String()
}

// building counts the tables being built (none once a load has ended).
func building(t *testing.T, db *sqldb.DB) int {
	var n int
	require.NoError(t, db.QueryRowContext(context.Background(), `SELECT count(*) FROM tabular_building`).Scan(&n))
	return n
}

// TestAnalyzeLoadOnePass: a file whose first rows type it right is loaded
// in one pass, into the same table as the two passes give.
func TestAnalyzeLoadOnePass(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := openStore(t, db)
		path := writeCSV(t, "id;code_postal;montant;date;publie;objet", 30_000, func(i int) string {
			return fmt.Sprintf("%d;%05d;%d,%02d;%02d/%02d/20%02d;%s;objet %d", i, 1000+i%90000, i*7, i%100, 1+i%28, 1+i%12, i%25, []string{"oui", "non"}[i%2], i%13)
		})
		prof, rows, onePass, err := AnalyzeLoad(ctx, s, path, "f.csv", analysis.Limits{}, tabular.Table{RID: "one"})
		require.NoError(t, err)
		require.True(t, onePass)
		require.EqualValues(t, 30_000, rows)
		require.Equal(t, []string{"int", "string", "float", "date", "bool", "string"}, columnTypes(prof))

		it, err := analysis.Rows(ctx, path, prof, analysis.Limits{})
		require.NoError(t, err)
		defer it.Close()
		_, err = loadRows(ctx, s, tabular.Table{RID: "two"}, prof, it, prof.Columns)
		require.NoError(t, err)
		require.Equal(t, export(t, s, "two"), export(t, s, "one"))

		body, err := s.DataQuery(ctx, "one", "id__exact=29999", "http://x")
		require.NoError(t, err)
		require.Contains(t, string(body), `"montant": 209993.99`)
		require.Contains(t, string(body), `"code_postal": "30999"`)
	})
}

// TestAnalyzeLoadMispredicted: a column that turns to text after the
// predicted rows (the load stops there), or one empty until then (caught
// at the end), is loaded again with the whole file's types; the one-pass
// table never became queryable.
func TestAnalyzeLoadMispredicted(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		for _, text := range []bool{true, false} {
			ctx := context.Background()
			s := openStore(t, db)
			const n, batchRows = predictRows + 5_000, 512
			path := writeCSV(t, "n;late;nom", n, func(i int) string {
				v, late := fmt.Sprint(i), ""
				if text && i == n-10 {
					v = "abc"
				}
				if i > predictRows+batchRows { // after the rows the types are predicted from
					late = fmt.Sprint(i % 1000)
				}
				return fmt.Sprintf("%s;%s;nom %d", v, late, i)
			})
			prof, rows, onePass, err := AnalyzeLoad(ctx, s, path, "f.csv", analysis.Limits{}, tabular.Table{RID: "r"})
			require.NoError(t, err)
			require.False(t, onePass)
			require.EqualValues(t, n, rows)
			require.Zero(t, building(t, db))
			body, err := s.DataQuery(ctx, "r", "late__sort=desc&page_size=1", "http://x")
			require.NoError(t, err)
			require.Contains(t, string(body), `"late": 999`) // numeric order
			if !text {
				require.Equal(t, []string{"int", "int", "string"}, columnTypes(prof))
				continue
			}
			require.Equal(t, []string{"string", "int", "string"}, columnTypes(prof))
			body, err = s.DataQuery(ctx, "r", "n__exact=abc", "http://x")
			require.NoError(t, err)
			require.Contains(t, string(body), fmt.Sprintf(`"__id": %d`, n-9))
			body, err = s.DataQuery(ctx, "r", "n__exact=7", "http://x")
			require.NoError(t, err)
			require.Contains(t, string(body), `"n": "7"`) // text, as the file wrote it
		}
	})
}

// TestAnalyzeLoadAnalysisFails: a file the analysis rejects half way
// leaves no table, loaded or being built.
func TestAnalyzeLoadAnalysisFails(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := openStore(t, db)
		path := writeCSV(t, "n;nom", 20_000, func(i int) string { return fmt.Sprintf("%d;nom %d", i, i) })
		prof, _, _, err := AnalyzeLoad(ctx, s, path, "f.csv", analysis.Limits{MaxRows: 15_000}, tabular.Table{RID: "r"})
		require.ErrorIs(t, err, analysis.ErrUnreadable)
		require.Nil(t, prof)
		require.Zero(t, building(t, db))
		_, err = s.DataQuery(ctx, "r", "", "http://x")
		require.Error(t, err)
	})
}

func columnTypes(p *analysis.Profile) []string {
	types := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		types[i] = c.Type
	}
	return types
}
