package analysis

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/relais-data/relais/services/preview/internal/geo"
	"github.com/relais-data/relais/services/preview/internal/sheet"
)

// openSheet reads an XLSX or ODS workbook's first sheet through the sheet
// package; the header row is found as in a CSV (title rows skipped).
func openSheet(ctx context.Context, src *source, format string, lim Limits, p *Profile) (*table, error) {
	rows, err := sheet.Open(ctx, src.file.Name(), format, sheetLimits(lim))
	if err != nil {
		return nil, sheetError(err)
	}
	return sheetTable(ctx, src, rows, lim, p, -1)
}

// openJSON reads a JSON array of records through the sheet package, or a
// GeoJSON file's features' properties through the geo package (a
// compressed file is first decompressed to a temporary file, within the
// limits). The first row is the header: the union of the records' keys.
func openJSON(ctx context.Context, src *source, br *bufio.Reader, kind string, lim Limits, p *Profile) (*table, error) {
	path, cleanup, err := plainFile(src, br)
	if err != nil {
		return nil, err
	}
	var rows sheet.Rows
	if kind == "geojson" {
		rows, err = geo.Properties(ctx, path, sheetLimits(lim))
	} else {
		rows, err = sheet.Open(ctx, path, "json", sheetLimits(lim))
	}
	if err != nil {
		cleanup()
		return nil, sheetError(err)
	}
	t, err := sheetTable(ctx, src, rows, lim, p, 0)
	if err != nil {
		cleanup()
		if kind == "geojson" && errors.Is(err, errNoHeader) {
			// Features without properties: a map, with no table.
			return &table{src: src, records: emptySource{}, lim: lim, ctx: ctx}, nil
		}
		return nil, err
	}
	t.closer = closerFunc(func() error { err := rows.Close(); cleanup(); return err })
	return t, nil
}

type emptySource struct{}

func (emptySource) Read() ([]string, error) { return nil, io.EOF }

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// plainFile is the path of the file's decompressed bytes: the file itself,
// or a temporary copy of the decompressed stream (MaxBytes bounds it).
func plainFile(src *source, br *bufio.Reader) (string, func(), error) {
	if src.container == "" {
		return src.file.Name(), func() {}, nil
	}
	tmp, err := os.CreateTemp("", "relais-analysis-*")
	if err != nil {
		return "", nil, fmt.Errorf("decompress: %w", err)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := io.Copy(tmp, br); err != nil {
		cleanup()
		return "", nil, err
	}
	return tmp.Name(), cleanup, nil
}

// sheetTable finds the header among the first rows of a sheet (skip < 0)
// or skips the known title rows (skip >= 0), and returns the table.
func sheetTable(ctx context.Context, src *source, rows sheet.Rows, lim Limits, p *Profile, skip int) (*table, error) {
	r := &sheetRecords{rows: rows}
	if skip < 0 {
		var widths, filled, index []int
		for len(r.buf) < sniffRecords {
			rec, err := r.rows.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rows.Close()
				return nil, sheetError(err)
			}
			rec = append([]string(nil), rec...)
			r.buf = append(r.buf, rec)
			if n, w := filledWidth(rec); n > 0 {
				widths, filled, index = append(widths, w), append(filled, n), append(index, len(r.buf)-1)
			}
		}
		width, _ := modalWidth(widths)
		skip = headerRow(widths, filled, index, width)
		p.HeaderRow = skip
	}
	t := &table{src: src, records: r, closer: rows, lim: lim, ctx: ctx}
	if err := t.readHeader(skip); err != nil {
		rows.Close()
		return nil, err
	}
	return t, nil
}

// filledWidth returns the count of non-empty cells of rec and its width
// without trailing empty cells.
func filledWidth(rec []string) (filled, width int) {
	for j, c := range rec {
		if strings.TrimSpace(c) != "" {
			filled++
			width = j + 1
		}
	}
	return filled, width
}

// sheetRecords replays the rows read for header detection, then reads on.
type sheetRecords struct {
	rows sheet.Rows
	buf  [][]string
}

func (s *sheetRecords) Read() ([]string, error) {
	if len(s.buf) > 0 {
		rec := s.buf[0]
		s.buf = s.buf[1:]
		return rec, nil
	}
	rec, err := s.rows.Next()
	if err != nil && err != io.EOF {
		return nil, sheetError(err)
	}
	return rec, err
}

func sheetLimits(lim Limits) sheet.Limits {
	return sheet.Limits{MaxBytes: lim.MaxBytes, MaxRows: lim.MaxRows + sniffRecords, MaxColumns: lim.MaxColumns, MaxCellBytes: lim.MaxCellBytes, MaxRatio: lim.MaxRatio}
}

// sheetError makes the sheet and geo readers' limit and format errors
// unreadable reasons.
func sheetError(err error) error {
	if errors.Is(err, sheet.ErrLimit) || errors.Is(err, sheet.ErrFormat) || errors.Is(err, geo.ErrInvalid) || errors.Is(err, geo.ErrTooLarge) {
		return unreadable("%s", err.Error())
	}
	return err
}
