//go:build cgo

package tabular

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/duckdb/duckdb-go/v2"
)

// DuckDBAvailable reports whether this binary has the DuckDB engine (it
// needs cgo).
const DuckDBAvailable = true

// openDuckDB opens (creating it if need be) the DuckDB file of opt, its
// memory bounded.
func openDuckDB(opt DuckDBOptions) (*sql.DB, error) {
	if opt.MemoryLimit == "" {
		opt.MemoryLimit = DefaultDuckDBMemoryLimit
	}
	if opt.Threads <= 0 {
		opt.Threads = DefaultDuckDBThreads
	}
	v := url.Values{}
	v.Set("memory_limit", opt.MemoryLimit)
	v.Set("threads", strconv.Itoa(opt.Threads))
	// Appended rows need not keep their order for the sorts and top-N of
	// queries, which order by __id; this lets DuckDB stream more.
	v.Set("preserve_insertion_order", "false")
	// DuckDB's allocator keeps up to 128MB of freed memory by default;
	// this returns it sooner (alone, it took the 1 GB load's peak RSS from
	// 400 MiB to 338 here; see duckFlushRows for the rest).
	v.Set("allocator_flush_threshold", "8MB")
	connector, err := duckdb.NewConnector(opt.Path+"?"+v.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("open tabular store: duckdb %s: %w", opt.Path, err)
	}
	db := sql.OpenDB(connector)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open tabular store: duckdb %s: %w", opt.Path, err)
	}
	return db, nil
}

// duckFlushRows is how many rows the appender buffers before it flushes
// them to the table (committing them). DuckDB's appender buffers 204 800
// rows by default, in memory outside its memory_limit (and a flush that
// large needs more than a 32MB memory_limit lets it pin). On a 1 GB file's
// load, with memory_limit 64MB, the peak RSS was 286 MiB flushing every
// 32 768 rows (before allocator_flush_threshold), 251 and 278 every
// 16 384, and 266 every 8 192 for 40% more CPU: the figure varies by tens
// of MiB from run to run. The table is not queryable before its swap whatever was
// committed (a failed load drops it; one a crash interrupted, Open drops).
var duckFlushRows int64 = 8 * 2048

// appendRows loads src into table name of DuckDB with its appender, which
// writes columnar chunks directly (no SQL per row), flushed every
// duckFlushRows rows and when it closes.
func appendRows(ctx context.Context, db *sql.DB, name string, src *rowSource) (int64, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("append: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(driverConn any) error {
		dc, ok := driverConn.(driver.Conn)
		if !ok {
			return fmt.Errorf("driver connection is %T", driverConn)
		}
		a, err := duckdb.NewAppenderFromConn(dc, "", name)
		if err != nil {
			return err
		}
		row := make([]driver.Value, len(src.cols)+1)
		for {
			ok, err := src.read()
			if err == nil && ok {
				err = ctx.Err()
			}
			if err != nil {
				_ = a.Clear()
				return errors.Join(err, a.Close())
			}
			if !ok {
				break
			}
			for i, v := range src.row {
				row[i] = v
			}
			err = a.AppendRow(row...)
			if err == nil && src.n%duckFlushRows == 0 {
				err = a.FlushWithCancel(ctx)
			}
			if err != nil {
				_ = a.Clear()
				return errors.Join(fmt.Errorf("row %d: %w", src.n, err), a.Close())
			}
		}
		return a.CloseWithCancel(ctx)
	})
	if err != nil {
		return 0, fmt.Errorf("append: %w", err)
	}
	return src.n, nil
}
