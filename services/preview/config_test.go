package preview

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// TestTabularEngineConfig: an unknown engine, or duckdb without its file
// (or in a binary without it), is refused before anything opens.
func TestTabularEngineConfig(t *testing.T) {
	for _, c := range []struct {
		tab     TabularConfig
		wantErr string
	}{
		{TabularConfig{}, ""},
		{TabularConfig{Engine: tabular.EngineSQL}, ""},
		{TabularConfig{Engine: "parquet"}, `tabular.engine "parquet": sql or duckdb`},
		{TabularConfig{Engine: tabular.EngineDuckDB}, "needs tabular.duckdb_path"},
		{TabularConfig{Engine: tabular.EngineDuckDB, DuckDBPath: "/tmp/t.duckdb"}, ""},
	} {
		_, err := Config{Tabular: c.tab}.withDefaults()
		if c.tab.Engine == tabular.EngineDuckDB && !tabular.DuckDBAvailable {
			require.ErrorContains(t, err, "built without cgo")
			continue
		}
		if c.wantErr == "" {
			require.NoError(t, err, c.tab)
		} else {
			require.ErrorContains(t, err, c.wantErr, c.tab)
		}
	}
}
