package analysis

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"strings"
)

// ratioFloor is the decompressed size under which the ratio is not
// checked: a tiny file of repeated bytes compresses a lot and harms no one.
const ratioFloor = 1 << 20

// source is the decompressed byte stream of a file, bounded by Limits.
type source struct {
	file      *os.File
	r         io.Reader // decompressed, limited
	container string
	entry     string // zip member
	name      string // name of the inner file, for the format hint
	sheet     string // "xlsx" or "ods" when the file itself is a spreadsheet
	size      int64  // of the file as stored
	raw       *countingReader
	out       *limitReader
	sum       hash.Hash // sha1 of the stored bytes, fed while reading (nil for zip)
	hashed    io.Reader // the stored bytes through sum
	closers   []io.Closer
}

// openSource opens path, recognizes its container from its first bytes (not
// from its name, which lies as often as not) and returns the decompressed
// stream. name is the original file name or URL.
func openSource(path, name string, lim Limits, wantSum bool) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	s := &source{file: f, size: st.Size(), name: baseName(name), closers: []io.Closer{f}}
	if s.size == 0 {
		s.Close()
		return nil, unreadable("empty file")
	}
	var magic [4]byte
	n, _ := io.ReadFull(f, magic[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		s.Close()
		return nil, fmt.Errorf("seek %s: %w", path, err)
	}
	switch {
	case n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		err = s.openGzip(lim, wantSum)
	case n == 4 && bytes.Equal(magic[:], []byte("PK\x03\x04")):
		err = s.openZip(lim)
	default:
		s.raw = &countingReader{r: f}
		var r io.Reader = s.raw
		if wantSum {
			s.sum = sha1.New()
			r = io.TeeReader(r, s.sum)
			s.hashed = r
		}
		s.out = &limitReader{r: r, lim: lim, src: s}
		s.r = s.out
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *source) openGzip(lim Limits, wantSum bool) error {
	s.container = "gzip"
	s.raw = &countingReader{r: s.file}
	var r io.Reader = s.raw
	if wantSum {
		s.sum = sha1.New()
		r = io.TeeReader(r, s.sum)
		s.hashed = r
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(r, 64<<10))
	if err != nil {
		return unreadable("invalid gzip data: %v", err)
	}
	s.closers = append(s.closers, zr)
	s.name = strings.TrimSuffix(strings.TrimSuffix(s.name, ".gz"), ".gzip")
	s.out = &limitReader{r: gzipErrors{zr}, lim: lim, src: s}
	s.readAhead()
	return nil
}

// gzipErrors turns the gzip reader's errors into reasons.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		if _, ok := err.(*unreadableError); !ok {
			err = unreadable("invalid gzip data: %v", err)
		}
	}
	return n, err
}

// openZip picks the member to read. An XLSX or ODS file is itself a zip: it
// is left to the sheet reader. Otherwise the first member that looks like a
// table (by extension, skipping folders and macOS resource forks) is read.
func (s *source) openZip(lim Limits) error {
	counted := &countingReaderAt{r: s.file}
	zr, err := zip.NewReader(counted, s.size)
	if err != nil {
		return unreadable("invalid zip archive: %v", err)
	}
	if kind := spreadsheetKind(zr); kind != "" {
		s.sheet = kind
		return nil
	}
	s.container = "zip"
	var pick *zip.File
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(path.Base(f.Name), ".") {
			continue
		}
		switch formatFromName(f.Name) {
		case "csv", "tsv", "txt", "json", "geojson":
			pick = f
		}
		if pick != nil {
			break
		}
	}
	if pick == nil {
		return unreadable("zip archive without a readable file")
	}
	if pick.UncompressedSize64 > uint64(lim.MaxBytes) {
		return unreadable("file larger than %d bytes once decompressed", lim.MaxBytes)
	}
	if pick.UncompressedSize64 > ratioFloor && float64(pick.UncompressedSize64) > lim.MaxRatio*float64(max(pick.CompressedSize64, 1)) {
		return unreadable("suspicious decompression ratio (over %g)", lim.MaxRatio)
	}
	rc, err := pick.Open()
	if err != nil {
		return unreadable("zip member %s cannot be read: %v", pick.Name, err)
	}
	s.closers = append(s.closers, rc)
	s.entry = pick.Name
	s.name = path.Base(pick.Name)
	s.raw = &countingReader{at: counted}
	s.out = &limitReader{r: zipErrors{rc}, lim: lim, src: s}
	s.readAhead()
	return nil
}

// readAhead decompresses in a goroutine of its own.
func (s *source) readAhead() {
	ra := newReadAhead(s.out)
	s.closers = append(s.closers, ra)
	s.r = ra
}

// zipErrors turns archive/zip's errors (a member longer than declared, a bad
// CRC, corrupt deflate data) into reasons.
type zipErrors struct{ r io.Reader }

func (z zipErrors) Read(p []byte) (int, error) {
	n, err := z.r.Read(p)
	if err != nil && err != io.EOF {
		if _, ok := err.(*unreadableError); !ok {
			err = unreadable("invalid zip data: %v", err)
		}
	}
	return n, err
}

// spreadsheetKind recognizes XLSX (an OOXML package with a workbook) and ODS
// (its "mimetype" member) among zip archives.
func spreadsheetKind(zr *zip.Reader) string {
	for _, f := range zr.File {
		switch {
		case f.Name == "xl/workbook.xml":
			return "xlsx"
		case f.Name == "mimetype" && f.UncompressedSize64 < 100:
			rc, err := f.Open()
			if err != nil {
				return ""
			}
			b, _ := io.ReadAll(io.LimitReader(rc, 100))
			rc.Close()
			if strings.TrimSpace(string(b)) == "application/vnd.oasis.opendocument.spreadsheet" {
				return "ods"
			}
		}
	}
	return ""
}

// checksum returns the sha1 of the stored file: from the bytes already read
// when they were all read through the hash, else by reading the file again
// (zip members and spreadsheets are read at random offsets).
func (s *source) checksum() (string, error) {
	if s.sum != nil {
		if _, err := io.Copy(io.Discard, s.hashed); err != nil { // bytes not read yet: after the gzip stream, or read by a sheet reader
			return "", fmt.Errorf("read for checksum: %w", err)
		}
		return hex.EncodeToString(s.sum.Sum(nil)), nil
	}
	return fileSHA1(s.file)
}

func fileSHA1(f *os.File) (string, error) {
	h := sha1.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, 1<<62)); err != nil {
		return "", fmt.Errorf("checksum: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (s *source) Close() error {
	var first error
	for i := len(s.closers) - 1; i >= 0; i-- {
		if err := s.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// countingReader counts the stored bytes consumed, for the ratio check. For
// a zip member it reports the bytes read through the archive's ReaderAt.
type countingReader struct {
	r  io.Reader
	at *countingReaderAt
	n  int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) count() int64 {
	if c.at != nil {
		return c.at.n
	}
	return c.n
}

type countingReaderAt struct {
	r io.ReaderAt
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// limitReader enforces MaxBytes and MaxRatio on the decompressed stream.
type limitReader struct {
	r   io.Reader
	lim Limits
	src *source
	n   int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.lim.MaxBytes {
		return n, unreadable("file larger than %d bytes once decompressed", l.lim.MaxBytes)
	}
	if l.src.container != "" && l.n > ratioFloor && float64(l.n) > l.lim.MaxRatio*float64(max(l.src.raw.count(), 1)) {
		return n, unreadable("suspicious decompression ratio (over %g)", l.lim.MaxRatio)
	}
	return n, err
}

// baseName is the last path element of a file name or URL, without a query.
func baseName(name string) string {
	if i := strings.IndexAny(name, "?#"); i >= 0 {
		name = name[:i]
	}
	return strings.ToLower(path.Base(strings.TrimRight(name, "/")))
}

// formatFromName is the format an extension suggests ("" when none).
func formatFromName(name string) string {
	name = strings.ToLower(name)
	for _, ext := range []string{"csv", "tsv", "txt", "json", "geojson", "xlsx", "ods"} {
		if strings.HasSuffix(name, "."+ext) {
			return ext
		}
	}
	return ""
}
