package analysis

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"hash/maphash"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// dupCap bounds the row hashes kept to count duplicate rows (8 bytes each
// plus the map's overhead: about 20 MiB).
const dupCap = 1 << 19

// Analyze profiles the file at path (already on local disk; name is the
// original file name or URL, a hint for the format). It reads the file
// once: the head to sniff the encoding, dialect and header, then every row
// for types and statistics. A file that cannot be read returns an error
// wrapping ErrUnreadable whose message is the reason for a human.
func Analyze(ctx context.Context, path, name string, lim Limits) (*Profile, error) {
	lim = lim.withDefaults()
	p := &Profile{StartedAt: time.Now().UTC()}
	src, err := openSource(path, name, lim, true)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	p.Container, p.Entry, p.FileSize = src.container, src.entry, src.size

	t, err := openTable(ctx, src, name, lim, p)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	if err := profileRows(t, p); err != nil {
		return nil, err
	}
	if t.dec != nil {
		p.Encoding = t.dec.encoding(p.Encoding)
		p.Windows1252Bytes = t.dec.fallbacks
		if p.Encoding != encUTF8 && p.Encoding != encUTF8BOM {
			p.Windows1252Bytes = 0
		}
	}
	if src.out != nil {
		p.Bytes = src.out.n
	}
	if p.Checksum, err = src.checksum(); err != nil {
		return nil, err
	}
	p.MimeType = mimeType(p)
	p.FinishedAt = time.Now().UTC()
	return p, nil
}

// openTable recognizes the format and opens the table for its data rows,
// filling the format, encoding and dialect of p.
func openTable(ctx context.Context, src *source, name string, lim Limits, p *Profile) (*table, error) {
	if src.sheet != "" {
		p.Format = src.sheet
		return openSheet(ctx, src, src.sheet, lim, p)
	}
	peek := sniffBytes
	if src.container == "" && src.size < sniffBytes {
		peek = int(src.size) + 1 // a small file needs no large buffer
	}
	br := bufio.NewReaderSize(src.r, peek)
	head, err := br.Peek(peek)
	atEOF := errors.Is(err, io.EOF)
	if err != nil && !atEOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(bytes.Trim(head, " \t\r\n;,|\"'")) == 0 && atEOF {
		return nil, unreadable("empty file")
	}
	if reason := notText(head); reason != "" {
		return nil, unreadable("%s", reason)
	}
	p.Encoding = sniffEncoding(head, atEOF)
	sample, err := decodeSample(head, p.Encoding, atEOF)
	if err != nil {
		return nil, err
	}
	hint := formatFromName(src.name)
	if kind := jsonKind(sample, hint); kind != "" {
		p.Format, p.Encoding = kind, ""
		return openJSON(ctx, src, br, kind, lim, p)
	}
	d := sniffDialect(sample, hint, lim)
	p.Format = "csv"
	if d.comma == '\t' && d.columns {
		p.Format = "tsv"
	}
	p.Delimiter, p.Quote, p.HeaderRow = string(d.comma), string(d.quote), d.headerRow
	return openCSV(ctx, src, br, p.Encoding, d, lim)
}

// notText names the binary formats people publish as tables and that
// cannot be read as text.
func notText(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "XLS (Excel 97-2003) files are not supported: save the file as XLSX or CSV"
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "a PDF document is not a table"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "a zip archive inside the archive is not supported"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return "" // UTF-16 text holds zero bytes
	}
	if bytes.IndexByte(head[:min(len(head), 8192)], 0) >= 0 {
		return "binary file, not a table"
	}
	return ""
}

// jsonKind is "geojson" or "json" for a file whose first character opens
// a JSON value, "" otherwise.
func jsonKind(sample []byte, hint string) string {
	s := bytes.TrimLeft(sample, " \t\r\n")
	if len(s) == 0 || (s[0] != '{' && s[0] != '[') {
		return ""
	}
	if hint == "geojson" || (s[0] == '{' && (bytes.Contains(s[:min(len(s), 4096)], []byte(`"FeatureCollection"`)) ||
		bytes.Contains(s[:min(len(s), 4096)], []byte(`"Feature"`)))) {
		return "geojson"
	}
	if s[0] == '[' || hint == "json" {
		return "json"
	}
	return ""
}

// profileRows reads every data row into the columns' states. Reading and
// the duplicate count run in this goroutine; the columns are split between
// profileWorkers goroutines (every other column to each), which take rows
// in batches: the machine's two cores both work on one file.
func profileRows(t *table, p *Profile) error {
	seed := maphash.MakeSeed()
	cols := make([]*columnState, len(t.header))
	valueCap := min(max(exactBudget/max(len(cols), 1), 32), 4096)
	for i, name := range t.header {
		cols[i] = newColumnState(name, valueCap, seed)
	}
	pool := newBatchPool(cols)
	defer pool.stop()
	dups := newDupCounter(seed)
	var row []string
	var err error
	b := pool.get()
	for {
		row, err = t.next(row)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		dups.add(row)
		b.cells = append(b.cells, row...)
		for _, cell := range row {
			b.bytes += len(cell)
		}
		if b.rows++; b.rows == batchRows || b.bytes >= batchBytes {
			pool.send(b)
			b = pool.get()
		}
	}
	pool.send(b)
	pool.stop()
	p.RowCount, p.RaggedRows = t.rows, t.ragged
	p.Duplicates, p.DuplicatesExact = dups.n, dups.exact
	p.Columns = make([]Column, len(cols))
	for i, c := range cols {
		p.Columns[i] = c.column()
	}
	return nil
}

const (
	profileWorkers = 2
	batchRows      = 512
	// batchBytes bounds the cells a batch holds, so that the batches in
	// flight stay small when cells are large (1 MB descriptions).
	batchBytes = 2 << 20
	batches    = 4 // in flight: being filled, queued, being profiled
)

// batch is batchRows rows, their cells end to end.
type batch struct {
	cells   []string
	rows    int
	bytes   int
	pending atomic.Int32 // workers yet to profile it
}

// batchPool hands batches to the column workers and takes them back once
// every worker is done with them.
type batchPool struct {
	free    chan *batch
	work    []chan *batch
	wg      sync.WaitGroup
	stopped bool
}

func newBatchPool(cols []*columnState) *batchPool {
	bp := &batchPool{free: make(chan *batch, batches)}
	for range batches {
		bp.free <- &batch{cells: make([]string, 0, batchRows*len(cols))}
	}
	width := len(cols)
	for w := range profileWorkers {
		ch := make(chan *batch, batches)
		bp.work = append(bp.work, ch)
		bp.wg.Add(1)
		go func() {
			defer bp.wg.Done()
			for b := range ch {
				for r := range b.rows {
					row := b.cells[r*width : (r+1)*width]
					for i := w; i < width; i += profileWorkers {
						cols[i].add(row[i])
					}
				}
				if b.pending.Add(-1) == 0 {
					clear(b.cells) // let the rows' strings go
					b.cells, b.rows, b.bytes = b.cells[:0], 0, 0
					bp.free <- b
				}
			}
		}()
	}
	return bp
}

func (bp *batchPool) get() *batch { return <-bp.free }

func (bp *batchPool) send(b *batch) {
	if b.rows == 0 {
		bp.free <- b
		return
	}
	b.pending.Store(profileWorkers)
	for _, ch := range bp.work {
		ch <- b
	}
}

// stop waits for the workers to finish the batches sent.
func (bp *batchPool) stop() {
	if bp.stopped {
		return
	}
	bp.stopped = true
	for _, ch := range bp.work {
		close(ch)
	}
	bp.wg.Wait()
}

// dupCounter counts rows equal to an earlier row by their 64-bit hash: exact
// (but for hash collisions) while it holds at most dupCap hashes.
type dupCounter struct {
	h     maphash.Hash
	seen  map[uint64]struct{}
	n     int64
	exact bool
}

func newDupCounter(seed maphash.Seed) *dupCounter {
	d := &dupCounter{seen: make(map[uint64]struct{}), exact: true}
	d.h.SetSeed(seed)
	return d
}

func (d *dupCounter) add(row []string) {
	d.h.Reset()
	for _, cell := range row {
		d.h.WriteString(cell)
		d.h.WriteByte(0)
	}
	sum := d.h.Sum64()
	if _, dup := d.seen[sum]; dup {
		d.n++
	} else if len(d.seen) < dupCap {
		d.seen[sum] = struct{}{}
	} else {
		d.exact = false
	}
}

// mimeType is the type of the stored file, as hydra's libmagic reports
// it (a CSV is text/plain).
func mimeType(p *Profile) string {
	switch {
	case p.Container == "gzip":
		return "application/gzip"
	case p.Container == "zip":
		return "application/zip"
	}
	switch p.Format {
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "ods":
		return "application/vnd.oasis.opendocument.spreadsheet"
	case "json", "geojson":
		return "application/json"
	}
	return "text/plain"
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
