package analysis

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"time"
)

// Analyze profiles the file at path (already on local disk; name is the
// original file name or URL, a hint for the format). It reads the file
// once: the head to sniff the encoding, dialect and header, then every row
// for types and statistics. A file that cannot be read returns an error
// wrapping ErrUnreadable whose message is the reason for a human.
func Analyze(ctx context.Context, path, name string, lim Limits) (*Profile, error) {
	return AnalyzeTee(ctx, path, name, lim, nil)
}

// AnalyzeTee is Analyze handing the data rows to tee (nil: none) as it
// reads them: a loader stores them in the same pass (see RowTee).
func AnalyzeTee(ctx context.Context, path, name string, lim Limits, tee RowTee) (*Profile, error) {
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
	if tee != nil && !tee.Header(p.Format, t.header) {
		tee = nil
	}
	if err := profileRows(t, p, tee); err != nil {
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
	start := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(head[:min(len(head), 512)], []byte{0xEF, 0xBB, 0xBF}), " \t\r\n"))
	switch {
	case bytes.HasPrefix(start, []byte("<!doctype html")) || bytes.HasPrefix(start, []byte("<html")):
		return "an HTML page, not a data file (a broken link or a login page?)"
	case bytes.HasPrefix(start, []byte("<?xml")) || isMarkupLine(start):
		return "XML files are not previewed as tables"
	}
	return ""
}

// isMarkupLine tells whether the first line of s is an XML element
// ("<marches>"), as no CSV header is.
func isMarkupLine(s []byte) bool {
	line, _, _ := bytes.Cut(s, []byte("\n"))
	line = bytes.TrimSpace(line)
	return len(line) > 2 && line[0] == '<' && line[len(line)-1] == '>' && (line[1] >= 'a' && line[1] <= 'z' || line[1] == '!')
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
