package tabular

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
)

// Export streams the rows a data query selects (every page: page and
// page_size are ignored) to w as CSV (a header, then one line per row) or as
// a JSON array of objects, like api-tabular's /data/csv/ and /data/json/.
// Memory stays constant whatever the table's size.
func (s *Store) Export(ctx context.Context, rid string, args url.Values, format string, w io.Writer) error {
	return s.ExportQuery(ctx, rid, args.Encode(), format, w)
}

// ExportQuery is Export on the raw query string, arguments in their order.
func (s *Store) ExportQuery(ctx context.Context, rid, rawQuery, format string, w io.Writer) error {
	if format != "csv" && format != "json" {
		return fmt.Errorf("export resource %s: unknown format %q (csv or json)", rid, format)
	}
	var (
		rows *sql.Rows
		outs []output
		tbl  *table
	)
	err := s.withTable(ctx, rid, func(t *table) error {
		q, err := parseQuery(rawQuery, t, s.opt.MaxPageSize)
		if err != nil {
			return err
		}
		var stmt string
		var args []any
		stmt, args, outs = q.selectSQL(t, s.dialect())
		rows, err = s.data().QueryContext(ctx, stmt, args...)
		tbl = t
		return err
	})
	var clientErr *Error
	if errors.As(err, &clientErr) {
		return clientErr
	}
	if err != nil {
		return fmt.Errorf("export resource %s: %w", rid, err)
	}
	defer rows.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	if format == "csv" {
		err = writeCSV(bw, rows, outs)
	} else {
		err = writeJSON(bw, rows, outs)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("export resource %s: %w", tbl.rid, err)
	}
	return nil
}

func writeCSV(w io.Writer, rows *sql.Rows, outs []output) error {
	cw := csv.NewWriter(w)
	record := make([]string, len(outs))
	for i, o := range outs {
		record[i] = o.name
	}
	if err := cw.Write(record); err != nil {
		return err
	}
	sc := newScanner(len(outs))
	var buf pyJSON
	for rows.Next() {
		if err := sc.scan(rows); err != nil {
			return err
		}
		for i, o := range outs {
			record[i] = csvCell(&buf, o.typ, sc.vals[i])
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func writeJSON(w io.Writer, rows *sql.Rows, outs []output) error {
	sc := newScanner(len(outs))
	var buf pyJSON
	buf.raw("[")
	first := true
	for rows.Next() {
		if err := sc.scan(rows); err != nil {
			return err
		}
		if !first {
			buf.raw(",\n")
		}
		first = false
		buf.raw("{")
		for i, o := range outs {
			if i > 0 {
				buf.raw(", ")
			}
			buf.key(o.name)
			buf.cell(o.typ, sc.vals[i])
		}
		buf.raw("}")
		if _, err := w.Write(buf.bytes()); err != nil {
			return err
		}
		buf.reset()
	}
	if err := rows.Err(); err != nil {
		return err
	}
	buf.raw("]\n")
	_, err := w.Write(buf.bytes())
	return err
}
