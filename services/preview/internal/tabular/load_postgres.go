package tabular

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/relais-data/relais/pkg/sqldb"
)

// copyRows loads src into table name on PostgreSQL with COPY FROM STDIN
// (binary), on a connection of db's pgx pool.
func copyRows(ctx context.Context, db *sqldb.DB, name string, src *rowSource) (int64, error) {
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("copy: %w", err)
	}
	defer conn.Close()
	cols := make([]string, 0, len(src.cols)+1)
	cols = append(cols, idColumn)
	for i := range src.cols {
		cols = append(cols, physical(i))
	}
	var n int64
	cs := &copySource{src: src}
	err = conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy: driver connection is %T, not pgx", driverConn)
		}
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{name}, cols, cs)
		return err
	})
	if cs.err != nil {
		// The rows' own error, which pgx passes to the server as text.
		return 0, cs.err
	}
	if err != nil {
		return 0, fmt.Errorf("copy: %w", err)
	}
	return n, nil
}

// copySource adapts rowSource to pgx.CopyFromSource.
type copySource struct {
	src *rowSource
	err error
}

func (c *copySource) Next() bool {
	ok, err := c.src.read()
	c.err = err
	return ok
}

func (c *copySource) Values() ([]any, error) { return c.src.row, nil }
func (c *copySource) Err() error             { return c.err }
