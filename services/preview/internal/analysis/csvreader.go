package analysis

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// csvReader reads delimited records from UTF-8 text, streaming. Unlike
// encoding/csv it takes any quote character and bounds what one record may
// hold: an unclosed quote in a 1 GB file fails at MaxCellBytes instead of
// swallowing the file into memory. It is lenient as spreadsheet software
// is: a quote inside an unquoted cell is a character, text after a closing
// quote is kept, an unclosed quote ends at the end of the file.
type csvReader struct {
	r         *bufio.Reader
	comma     byte
	quote     byte // 0: no quoting
	maxCell   int
	maxRecord int
	maxCols   int

	line    int64 // physical lines read
	lineBuf []byte
	rec     []byte // cells, concatenated
	ends    []int
	fields  []string
}

// csvBuffer is the read buffer of a CSV reader over a file.
const csvBuffer = 64 << 10

func newCSVReader(r io.Reader, comma, quote byte, lim Limits, bufSize int) *csvReader {
	return &csvReader{
		r:         bufio.NewReaderSize(r, bufSize),
		comma:     comma,
		quote:     quote,
		maxCell:   lim.MaxCellBytes,
		maxRecord: 2 * lim.MaxCellBytes,
		maxCols:   lim.MaxColumns,
	}
}

// readLine returns the next physical line without its terminator (\n, \r\n)
// and whether one ended it. The slice is valid until the next call.
func (c *csvReader) readLine() ([]byte, bool, error) {
	line, err := c.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		c.lineBuf = append(c.lineBuf[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(c.lineBuf) > c.maxRecord {
				return nil, false, unreadable("line %d is longer than %d bytes", c.line+1, c.maxRecord)
			}
			line, err = c.r.ReadSlice('\n')
			c.lineBuf = append(c.lineBuf, line...)
		}
		line = c.lineBuf
	}
	if len(line) == 0 {
		if err == nil {
			err = io.EOF
		}
		return nil, false, err
	}
	c.line++
	ended := line[len(line)-1] == '\n'
	if ended {
		line = line[:len(line)-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	if err == io.EOF {
		err = nil
	}
	return line, ended, err
}

// Read returns the next record. Its strings share one allocation; the slice
// itself is reused by the next call.
func (c *csvReader) Read() ([]string, error) {
	line, _, err := c.readLine()
	if err != nil {
		return nil, err
	}
	c.rec = c.rec[:0]
	c.ends = c.ends[:0]
	pos := 0
	for {
		start := len(c.rec)
		if c.quote != 0 && pos < len(line) && line[pos] == c.quote {
			pos++
		quoted:
			for {
				i := bytes.IndexByte(line[pos:], c.quote)
				if i < 0 { // the cell goes on on the next line
					c.rec = append(c.rec, line[pos:]...)
					c.rec = append(c.rec, '\n')
					if len(c.rec)-start > c.maxCell {
						return nil, unreadable("cell longer than %d bytes at line %d (unclosed quote?)", c.maxCell, c.line)
					}
					var ended bool
					line, ended, err = c.readLine()
					if err != nil && err != io.EOF {
						return nil, err
					}
					pos = 0
					if line == nil && !ended { // end of file inside quotes: the cell ends there
						c.rec = c.rec[:len(c.rec)-1]
						break quoted
					}
					continue
				}
				c.rec = append(c.rec, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == c.quote { // doubled quote
					c.rec = append(c.rec, c.quote)
					pos++
					continue
				}
				// After the closing quote, keep anything up to the delimiter.
				j := bytes.IndexByte(line[pos:], c.comma)
				if j < 0 {
					j = len(line) - pos
				}
				c.rec = append(c.rec, line[pos:pos+j]...)
				pos += j
				break
			}
		} else {
			j := bytes.IndexByte(line[pos:], c.comma)
			if j < 0 {
				j = len(line) - pos
			}
			c.rec = append(c.rec, line[pos:pos+j]...)
			pos += j
		}
		if len(c.rec)-start > c.maxCell {
			return nil, unreadable("cell longer than %d bytes at line %d", c.maxCell, c.line)
		}
		if len(c.rec) > c.maxRecord {
			return nil, unreadable("record longer than %d bytes at line %d", c.maxRecord, c.line)
		}
		c.ends = append(c.ends, len(c.rec))
		if len(c.ends) > c.maxCols {
			return nil, unreadable("more than %d columns at line %d", c.maxCols, c.line)
		}
		if pos < len(line) && line[pos] == c.comma {
			pos++
			continue
		}
		break
	}
	all := string(c.rec)
	c.fields = c.fields[:0]
	prev := 0
	for _, e := range c.ends {
		c.fields = append(c.fields, all[prev:e])
		prev = e
	}
	return c.fields, nil
}
