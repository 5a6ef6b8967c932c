package sheet

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

const odsMime = "application/vnd.oasis.opendocument.spreadsheet"

// odsRows streams content.xml of an OpenDocument spreadsheet. Repeated
// rows and cells (table:number-rows-repeated, number-columns-repeated) are
// expanded only when they hold a value: LibreOffice pads every sheet with
// a million repeated empty cells, which must cost nothing.
type odsRows struct {
	zr     *zip.ReadCloser
	rc     io.ReadCloser
	dec    *xml.Decoder
	g      guard
	line   int64    // row number in the sheet, for messages
	last   []string // the row being repeated
	repeat int64    // copies of last still to return
	found  bool     // the sheet read is the first non-empty one
	done   bool
}

func openODS(ctx context.Context, path string, lim Limits) (Rows, error) {
	zr, err := checkZip(path, "ODS", lim)
	if err != nil {
		return nil, err
	}
	content, err := odsContent(zr)
	if err != nil {
		zr.Close()
		return nil, err
	}
	rc, err := content.Open()
	if err != nil {
		zr.Close()
		return nil, fmt.Errorf("%w: ODS content.xml: %v", ErrFormat, err)
	}
	lr := &limitedReader{r: rc, max: lim.MaxBytes, what: "ODS content.xml"}
	return &odsRows{
		zr:  zr,
		rc:  rc,
		dec: xml.NewDecoder(bufio.NewReaderSize(lr, 64<<10)),
		g:   guard{ctx: ctx, lim: lim},
	}, nil
}

// odsContent checks the package is an unencrypted spreadsheet and returns
// its content.xml.
func odsContent(zr *zip.ReadCloser) (*zip.File, error) {
	var content *zip.File
	for _, f := range zr.File {
		switch f.Name {
		case "content.xml":
			content = f
		case "mimetype":
			mime, err := readSmall(f, 256)
			if err == nil && strings.HasPrefix(mime, "application/vnd.oasis.opendocument.") && strings.TrimSpace(mime) != odsMime {
				return nil, fmt.Errorf("%w: an OpenDocument file but not a spreadsheet (%s)", ErrFormat, strings.TrimSpace(mime))
			}
		case "META-INF/manifest.xml":
			manifest, err := readSmall(f, 1<<20)
			if err == nil && strings.Contains(manifest, "encryption-data") {
				return nil, fmt.Errorf("%w: a password-protected ODS file", ErrFormat)
			}
		}
	}
	if content == nil {
		return nil, fmt.Errorf("%w: not an ODS file (no content.xml)", ErrFormat)
	}
	return content, nil
}

// readSmall reads a small zip entry, at most n bytes of it.
func readSmall(f *zip.File, n int64) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, n))
	return string(b), err
}

func (o *odsRows) Next() ([]string, error) {
	if o.done {
		return nil, io.EOF
	}
	row, err := o.next()
	if err == nil {
		err = o.g.check(row, o.line)
	}
	if err != nil {
		o.done = true
		return nil, err
	}
	return row, nil
}

func (o *odsRows) next() ([]string, error) {
	if o.repeat > 0 {
		o.repeat--
		o.line++
		return slices.Clone(o.last), nil
	}
	for {
		tok, err := o.dec.Token()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			return nil, o.xmlErr(err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "document-content", "body", "spreadsheet", "table-header-rows", "table-row-group", "table-rows":
				// Containers: read on inside them.
			case "table":
				o.line = 0
			case "table-row":
				n := repeatAttr(el, "number-rows-repeated")
				row, err := o.row()
				if err != nil {
					return nil, err
				}
				o.line++
				if len(row) == 0 {
					o.line += n - 1
					continue
				}
				o.found = true
				o.last, o.repeat = row, n-1
				return row, nil
			default:
				if err := o.dec.Skip(); err != nil {
					return nil, o.xmlErr(err)
				}
			}
		case xml.EndElement:
			if el.Name.Local == "table" && o.found {
				return nil, io.EOF // only the first non-empty sheet
			}
		}
	}
}

// row reads the cells of a table:table-row, without its trailing empty
// cells.
func (o *odsRows) row() ([]string, error) {
	var cells []string
	var empty int64 // empty cells not yet appended: maybe trailing
	for {
		tok, err := o.dec.Token()
		if err != nil {
			return nil, o.xmlErr(err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local != "table-cell" && el.Name.Local != "covered-table-cell" {
				if err := o.dec.Skip(); err != nil {
					return nil, o.xmlErr(err)
				}
				continue
			}
			n := repeatAttr(el, "number-columns-repeated")
			v, err := o.cell(el)
			if err != nil {
				return nil, err
			}
			if v == "" {
				empty = min(empty+n, 1<<40) // no overflow, however many repeats
				continue
			}
			if int64(len(cells))+empty+n > int64(o.g.lim.MaxColumns) {
				return nil, fmt.Errorf("%w: ODS row %d has more than %d columns", ErrLimit, o.line+1, o.g.lim.MaxColumns)
			}
			for ; empty > 0; empty-- {
				cells = append(cells, "")
			}
			for range n {
				cells = append(cells, v)
			}
		case xml.EndElement:
			return cells, nil
		}
	}
}

// cell returns a cell's value in display form: the typed office:*-value
// attribute for numbers, dates, times and booleans, else its text.
func (o *odsRows) cell(start xml.StartElement) (string, error) {
	var typ, value, date, tm, boolean, str string
	hasStr := false
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "value-type":
			if typ == "" || a.Name.Space == "urn:oasis:names:tc:opendocument:xmlns:office:1.0" {
				typ = a.Value
			}
		case "value":
			value = a.Value
		case "date-value":
			date = a.Value
		case "time-value":
			tm = a.Value
		case "boolean-value":
			boolean = a.Value
		case "string-value":
			str, hasStr = a.Value, true
		}
	}
	v := ""
	switch typ {
	case "float", "percentage", "currency":
		v = value
	case "date":
		v = date
	case "time":
		v = isoDuration(tm)
	case "boolean":
		v = boolean
	case "string":
		if hasStr {
			v = str
		}
	}
	if v != "" {
		return v, o.skip()
	}
	text, err := o.text()
	if err != nil {
		return "", err
	}
	if len(text) > o.g.lim.MaxCellBytes {
		return "", fmt.Errorf("%w: ODS row %d holds a cell of more than %d bytes", ErrLimit, o.line+1, o.g.lim.MaxCellBytes)
	}
	return text, nil
}

// skip consumes the rest of the current element.
func (o *odsRows) skip() error {
	if err := o.dec.Skip(); err != nil {
		return o.xmlErr(err)
	}
	return nil
}

// text reads the paragraphs of the current cell, one line each, with
// text:s, text:tab and text:line-break as the characters they stand for;
// annotations (comments) are left out.
func (o *odsRows) text() (string, error) {
	var b strings.Builder
	depth, paragraphs := 0, 0
	for {
		tok, err := o.dec.Token()
		if err != nil {
			return "", o.xmlErr(err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "annotation":
				if err := o.skip(); err != nil {
					return "", err
				}
				continue
			case "p", "h":
				if paragraphs > 0 {
					b.WriteByte('\n')
				}
				paragraphs++
			case "s":
				n := repeatAttr(el, "c")
				if int64(b.Len())+n > int64(o.g.lim.MaxCellBytes) {
					return "", fmt.Errorf("%w: ODS row %d holds a cell of more than %d bytes", ErrLimit, o.line+1, o.g.lim.MaxCellBytes)
				}
				b.WriteString(strings.Repeat(" ", int(n)))
			case "tab":
				b.WriteByte('\t')
			case "line-break":
				b.WriteByte('\n')
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				return b.String(), nil
			}
			depth--
		case xml.CharData:
			if depth > 0 {
				if b.Len()+len(el) > o.g.lim.MaxCellBytes {
					return "", fmt.Errorf("%w: ODS row %d holds a cell of more than %d bytes", ErrLimit, o.line+1, o.g.lim.MaxCellBytes)
				}
				b.Write(el)
			}
		}
	}
}

func (o *odsRows) xmlErr(err error) error {
	if errors.Is(err, ErrLimit) {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: ODS content.xml near row %d: %v", ErrFormat, o.line+1, err)
}

func (o *odsRows) Close() error {
	o.done = true
	var err error
	if o.rc != nil {
		err = o.rc.Close()
		o.rc = nil
	}
	if o.zr != nil {
		err = errors.Join(err, o.zr.Close())
		o.zr = nil
	}
	return err
}

// repeatAttr reads a repeat count attribute: 1 when absent or invalid.
func repeatAttr(el xml.StartElement, name string) int64 {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			if n, err := strconv.ParseInt(a.Value, 10, 64); err == nil && n >= 1 {
				return n
			}
		}
	}
	return 1
}

// isoDuration turns an office:time-value ("PT10H30M00S", "P1DT2H") into
// "hh:mm:ss" (hours past 24 kept), or returns it as it is when malformed.
func isoDuration(d string) string {
	rest, ok := strings.CutPrefix(d, "P")
	if !ok {
		return d
	}
	var secs float64
	inTime := false
	for rest != "" {
		if rest[0] == 'T' {
			inTime, rest = true, rest[1:]
			continue
		}
		i := strings.IndexAny(rest, "YMWDHS")
		if i <= 0 {
			return d
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil || n < 0 || n > 1e9 {
			return d
		}
		switch unit := rest[i]; {
		case unit == 'D' && !inTime:
			secs += n * 86400
		case unit == 'W' && !inTime:
			secs += n * 7 * 86400
		case unit == 'H' && inTime:
			secs += n * 3600
		case unit == 'M' && inTime:
			secs += n * 60
		case unit == 'S' && inTime:
			secs += n
		default:
			return d // years and months have no fixed length
		}
		rest = rest[i+1:]
	}
	s := int64(secs)
	out := fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	if frac := secs - float64(s); frac >= 0.0005 {
		out += strings.TrimPrefix(strconv.FormatFloat(frac, 'f', 3, 64), "0")
		out = strings.TrimRight(out, "0")
	}
	return out
}
