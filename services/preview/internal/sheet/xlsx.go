package sheet

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// xmlInMemory is the size above which excelize spills a worksheet or the
// shared strings to a temporary file instead of holding them in memory.
const xmlInMemory = 16 << 20

// xlsxRows streams one worksheet through excelize's row iterator.
type xlsxRows struct {
	f       *excelize.File
	rows    *excelize.Rows
	g       guard
	line    int64    // row number in the sheet, for messages
	pending []string // the first non-empty row, read while choosing the sheet
	done    bool
}

func openXLSX(ctx context.Context, path string, lim Limits) (_ Rows, err error) {
	defer recoverInto(&err, "XLSX")
	zr, err := checkZip(path, "XLSX", lim)
	if err != nil {
		return nil, err
	}
	zr.Close()
	f, err := excelize.OpenFile(path, excelize.Options{
		UnzipSizeLimit:    lim.MaxBytes,
		UnzipXMLSizeLimit: min(xmlInMemory, lim.MaxBytes),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: not a readable XLSX workbook (%v)", ErrFormat, err)
	}
	if err := isoDates(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: XLSX styles: %v", ErrFormat, err)
	}
	x := &xlsxRows{f: f, g: guard{ctx: ctx, lim: lim}}
	var unreadable error // a sheet without rows to read (a chart sheet, say)
	for _, name := range f.GetSheetList() {
		if err := ctx.Err(); err != nil {
			f.Close()
			return nil, err
		}
		rows, err := f.Rows(name)
		if err != nil {
			unreadable = fmt.Errorf("%w: XLSX sheet %q: %v", ErrFormat, name, err)
			continue
		}
		x.rows, x.line = rows, 0
		first, err := x.read()
		if err == nil {
			x.pending = first
			return x, nil
		}
		rows.Close()
		if err != io.EOF {
			f.Close()
			return nil, err
		}
	}
	if unreadable != nil {
		f.Close()
		return nil, unreadable
	}
	// No sheet holds a value: an empty table.
	x.rows, x.done = nil, true
	return x, nil
}

// read returns the next non-empty row of the current sheet.
func (x *xlsxRows) read() ([]string, error) {
	for x.rows.Next() {
		x.line++
		if x.line&255 == 0 {
			if err := x.g.ctx.Err(); err != nil {
				return nil, err
			}
		}
		row, err := x.rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("%w: XLSX row %d: %v", ErrFormat, x.line, err)
		}
		if row = trimRight(row); len(row) > 0 {
			return row, nil
		}
	}
	if err := x.rows.Error(); err != nil {
		return nil, fmt.Errorf("%w: XLSX: %v", ErrFormat, err)
	}
	return nil, io.EOF
}

func (x *xlsxRows) Next() (row []string, err error) {
	defer recoverInto(&err, "XLSX")
	if x.done {
		return nil, io.EOF
	}
	if x.pending != nil {
		row, x.pending = x.pending, nil
	} else if row, err = x.read(); err != nil {
		x.done = true
		return nil, err
	}
	if err := x.g.check(row, x.line); err != nil {
		x.done = true
		return nil, err
	}
	return row, nil
}

func (x *xlsxRows) Close() error {
	x.done = true
	var err error
	if x.rows != nil {
		err = x.rows.Close()
		x.rows = nil
	}
	if x.f != nil {
		err = errors.Join(err, x.f.Close())
		x.f = nil
	}
	return err
}

// recoverInto turns a panic of a third-party parser on hostile input into
// an ErrFormat error: a bad file must never bring the service down.
func recoverInto(err *error, kind string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %s parser failed: %v", ErrFormat, kind, r)
	}
}
