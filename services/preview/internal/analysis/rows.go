package analysis

import (
	"bufio"
	"context"
	"fmt"

	"github.com/relais-data/relais/services/preview/internal/sheet"
)

// RowIter streams a table's data rows.
type RowIter interface {
	Next() ([]string, error) // io.EOF at the end
	Close() error
}

// Rows streams the records after the header of the file Analyze profiled
// as p, decoded to UTF-8, blank rows skipped, each of len(p.Columns) cells
// (a short row is padded with empty cells, a long one cut). Each row is a
// new slice the caller may keep.
func Rows(ctx context.Context, path string, p *Profile, lim Limits) (RowIter, error) {
	lim = lim.withDefaults()
	src, err := openSource(path, p.Entry, lim, false)
	if err != nil {
		return nil, err
	}
	t, err := reopenTable(ctx, src, p, lim)
	if err != nil {
		src.Close()
		return nil, err
	}
	if len(t.header) != len(p.Columns) {
		t.Close()
		return nil, fmt.Errorf("rows of %s: %d columns, the profile has %d (file changed?)", path, len(t.header), len(p.Columns))
	}
	return &rowIter{t: t}, nil
}

// reopenTable opens the table with the profile's format and dialect
// instead of sniffing them again.
func reopenTable(ctx context.Context, src *source, p *Profile, lim Limits) (*table, error) {
	switch p.Format {
	case "xlsx", "ods":
		rows, err := sheet.Open(ctx, src.file.Name(), p.Format, sheetLimits(lim))
		if err != nil {
			return nil, sheetError(err)
		}
		return sheetTable(ctx, src, rows, lim, p, p.HeaderRow)
	case "json", "geojson":
		return openJSON(ctx, src, bufio.NewReader(src.r), p.Format, lim, &Profile{})
	}
	if len(p.Delimiter) != 1 || len(p.Quote) > 1 {
		return nil, fmt.Errorf("rows: profile has no CSV dialect (delimiter %q, quote %q)", p.Delimiter, p.Quote)
	}
	d := dialect{comma: p.Delimiter[0], headerRow: p.HeaderRow}
	if p.Quote != "" {
		d.quote = p.Quote[0]
	}
	br := bufio.NewReaderSize(src.r, 64<<10)
	return openCSV(ctx, src, br, p.Encoding, d, lim)
}

type rowIter struct {
	t *table
}

func (r *rowIter) Next() ([]string, error) {
	row, err := r.t.next(nil)
	if err != nil {
		return nil, err
	}
	return row, nil
}

func (r *rowIter) Close() error { return r.t.Close() }
