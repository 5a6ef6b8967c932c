// Package sheet reads the tables that are not CSV — the first non-empty
// sheet of an XLSX or ODS workbook, or JSON records (an array of objects or
// of arrays, such an array inside an object as APIs wrap them, or JSON
// Lines) — row by row as strings, so that analysis can treat them like CSV
// lines.
//
// Every reader streams and is bounded: bytes decompressed or read, rows,
// columns, cell length and (for the zip containers) the decompression
// ratio. Crossing a limit returns an error wrapping ErrLimit; a file that is
// not what it claims returns an error wrapping ErrFormat. Both say in plain
// words what was wrong, for the resource's "unreadable" reason.
package sheet

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrLimit is wrapped by the errors of a file that crosses one of Limits.
var ErrLimit = errors.New("limit exceeded")

// ErrFormat is wrapped by the errors of a file that is not valid XLSX, ODS
// or JSON.
var ErrFormat = errors.New("invalid file")

// Limits bound what a reader accepts. A zero field takes its value from
// DefaultLimits.
type Limits struct {
	MaxBytes     int64 // bytes read, decompressed ones for XLSX and ODS
	MaxRows      int64 // rows returned, the first one included
	MaxColumns   int   // cells in one row
	MaxCellBytes int   // bytes of one cell
	// MaxRatio bounds decompressed/compressed size of each zip entry of an
	// XLSX or ODS file (zip bombs).
	MaxRatio float64
}

// DefaultLimits are generous for real open data and small enough that no
// file exhausts the service.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:     4 << 30,
		MaxRows:      50_000_000,
		MaxColumns:   2000,
		MaxCellBytes: 1 << 20,
		MaxRatio:     200,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = d.MaxColumns
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = d.MaxCellBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	return l
}

// Rows iterates over the rows of a table. Next returns io.EOF after the last
// row. Rows may differ in length: trailing empty cells are dropped by the
// workbook readers, and rows whose cells are all empty are skipped.
type Rows interface {
	Next() ([]string, error)
	Close() error
}

// Open reads the file at path in format "xlsx", "ods" or "json". The first
// row returned is the first non-empty row of the table (for JSON, a header
// made of the union of the keys of the first records); header detection is
// the caller's business. Dates and times are returned in ISO 8601
// (2024-03-12, 2024-03-12T10:30:00, 10:30:00), numbers as plain decimals
// (no thousands separator, percent sign or currency), booleans as TRUE/FALSE
// (XLSX) or true/false (ODS, JSON).
func Open(ctx context.Context, path, format string, lim Limits) (Rows, error) {
	lim = lim.withDefaults()
	switch format {
	case "xlsx":
		return openXLSX(ctx, path, lim)
	case "ods":
		return openODS(ctx, path, lim)
	case "json":
		return openJSON(ctx, path, lim)
	}
	return nil, fmt.Errorf("sheet: unknown format %q (want xlsx, ods or json)", format)
}

// guard counts the rows returned and checks each row against the limits and
// the context; every reader runs its rows through one.
type guard struct {
	ctx  context.Context
	lim  Limits
	rows int64
}

// check accepts row (the 1-based row of the source is line, for messages).
func (g *guard) check(row []string, line int64) error {
	g.rows++
	if g.rows&255 == 0 {
		if err := g.ctx.Err(); err != nil {
			return err
		}
	}
	if g.rows > g.lim.MaxRows {
		return fmt.Errorf("%w: more than %d rows", ErrLimit, g.lim.MaxRows)
	}
	if len(row) > g.lim.MaxColumns {
		return fmt.Errorf("%w: row %d has %d columns, more than %d", ErrLimit, line, len(row), g.lim.MaxColumns)
	}
	for i, c := range row {
		if len(c) > g.lim.MaxCellBytes {
			return fmt.Errorf("%w: row %d column %d holds %d bytes, more than %d", ErrLimit, line, i+1, len(c), g.lim.MaxCellBytes)
		}
	}
	return nil
}

// limitedReader fails with ErrLimit once more than max bytes were read,
// instead of io.LimitReader's silent EOF that would truncate the table.
type limitedReader struct {
	r    io.Reader
	n    int64
	max  int64
	what string
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n >= l.max {
		// One byte past the limit tells a file of exactly max bytes from
		// a larger one.
		var one [1]byte
		if n, err := io.ReadFull(l.r, one[:]); n == 0 {
			return 0, err // io.EOF, or the reader's own failure
		}
		return 0, fmt.Errorf("%w: %s is larger than %d bytes", ErrLimit, l.what, l.max)
	}
	if int64(len(p)) > l.max-l.n {
		p = p[:l.max-l.n]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// trimRight drops trailing empty cells.
func trimRight(row []string) []string {
	n := len(row)
	for n > 0 && row[n-1] == "" {
		n--
	}
	return row[:n]
}
