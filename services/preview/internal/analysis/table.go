package analysis

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// recordSource yields raw records: the CSV reader, or a sheet's rows.
type recordSource interface {
	Read() ([]string, error)
}

// table is a file opened for reading its data rows: the records after the
// header, blank ones skipped, each cut or padded to the header's width.
type table struct {
	src     *source
	dec     *decoder // nil for sheets
	records recordSource
	closer  io.Closer // of a sheet reader
	header  []string
	lim     Limits
	rows    int64
	ragged  int64
	check   int
	ctx     context.Context
}

// openCSV opens a delimited text file with a known dialect, skips the
// title lines and reads the header.
func openCSV(ctx context.Context, src *source, br *bufio.Reader, enc string, d dialect, lim Limits) (*table, error) {
	dec := newDecoder(br, enc, csvBuffer)
	t := &table{src: src, dec: dec, records: newCSVReader(dec, d.comma, d.quote, lim, csvBuffer), lim: lim, ctx: ctx}
	if err := t.readHeader(d.headerRow); err != nil {
		return nil, err
	}
	return t, nil
}

// errNoHeader is the reason of a file that ends before its header.
var errNoHeader = unreadable("no header row: the file holds no table")

// readHeader skips skip records and reads the header.
func (t *table) readHeader(skip int) error {
	for i := 0; i <= skip; i++ {
		rec, err := t.records.Read()
		if err == io.EOF {
			return errNoHeader
		}
		if err != nil {
			return err
		}
		if i == skip {
			if blank(rec) {
				return unreadable("no header row: the first line of the table is empty")
			}
			t.header = columnNames(rec)
		}
	}
	return nil
}

// columnNames trims the header's cells, names empty ones "Unnamed: i" and
// suffixes repeated ones ".1", ".2" (as pandas, so as csv-detective and
// api-tabular do): every column must have a distinct name in the store.
func columnNames(rec []string) []string {
	names := make([]string, len(rec))
	used := make(map[string]bool, len(rec))
	for i, cell := range rec {
		base := strings.TrimSpace(cell)
		if base == "" {
			base = "Unnamed: " + strconv.Itoa(i)
		}
		name := base
		for n := 1; used[name]; n++ {
			name = base + "." + strconv.Itoa(n)
		}
		used[name] = true
		names[i] = name
	}
	return names
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// next returns the next data row, len(row) == len(t.header). The slice is
// reused by the next call.
func (t *table) next(row []string) ([]string, error) {
	for {
		if t.check++; t.check&1023 == 0 {
			if err := t.ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := t.records.Read()
		if err != nil {
			return nil, err
		}
		if blank(rec) {
			continue
		}
		if t.rows++; t.rows > t.lim.MaxRows {
			return nil, unreadable("more than %d rows", t.lim.MaxRows)
		}
		w := len(t.header)
		row = append(row[:0], rec[:min(len(rec), w)]...)
		switch {
		case len(rec) < w:
			t.ragged++
			for len(row) < w {
				row = append(row, "")
			}
		case len(rec) > w && !blank(rec[w:]):
			t.ragged++
		}
		return row, nil
	}
}

func (t *table) Close() error {
	var err error
	if t.closer != nil {
		err = t.closer.Close()
	}
	if t.src != nil {
		err = errors.Join(err, t.src.Close())
	}
	return err
}

// decodeSample decodes the head of the file for sniffing, cut after its
// last complete line unless it is the whole file.
func decodeSample(head []byte, enc string, atEOF bool) ([]byte, error) {
	sample, err := io.ReadAll(newDecoder(bytes.NewReader(head), enc, len(head)+4))
	if err != nil {
		return nil, fmt.Errorf("decode the head: %w", err)
	}
	if !atEOF {
		if i := bytes.LastIndexByte(sample, '\n'); i > 0 {
			sample = sample[:i+1]
		}
	}
	return sample, nil
}
