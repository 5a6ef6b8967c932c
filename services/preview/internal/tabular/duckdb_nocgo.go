//go:build !cgo

package tabular

import (
	"context"
	"database/sql"
	"errors"
)

// DuckDBAvailable reports whether this binary has the DuckDB engine: not
// this one, built without cgo.
const DuckDBAvailable = false

var errNoDuckDB = errors.New("open tabular store: the duckdb engine is not in this binary (built without cgo); use the sql engine")

func openDuckDB(DuckDBOptions) (*sql.DB, error) { return nil, errNoDuckDB }

func appendRows(context.Context, *sql.DB, string, *rowSource) (int64, error) { return 0, errNoDuckDB }
