package analysis

import (
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding names, as csv-detective (cchardet) reports them.
const (
	encUTF8    = "UTF-8"
	encUTF8BOM = "UTF-8-SIG"
	encUTF16LE = "UTF-16LE"
	encUTF16BE = "UTF-16BE"
	encLatin1  = "ISO-8859-1"
	encCP1252  = "WINDOWS-1252"
)

// cp1252 decodes one byte of Windows-1252. Its printable characters are a
// superset of ISO-8859-1's (0x80–0x9F hold € ’ “ ” … where ISO-8859-1 has
// invisible C1 controls), so single-byte files are always decoded with it;
// the file is labelled ISO-8859-1 only when no byte in 0x80–0x9F occurs.
var cp1252 = func() (t [256][]byte) {
	for b := range 256 {
		r := charmap.Windows1252.DecodeByte(byte(b))
		if r == utf8.RuneError { // the five holes of the code page: keep the C1 control, as WHATWG does
			r = rune(b)
		}
		t[b] = utf8.AppendRune(nil, r)
	}
	return t
}()

// sniffEncoding decides the encoding from the head of the file. A head that
// is valid UTF-8 (a sequence cut by the end of the head aside) is read as
// UTF-8; any invalid sequence means a single-byte code page.
func sniffEncoding(head []byte, atEOF bool) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return encUTF8BOM
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return encUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return encUTF16BE
	}
	if !atEOF {
		head = head[:completeUTF8(head)]
	}
	if utf8.Valid(head) {
		return encUTF8
	}
	for _, b := range head {
		if b >= 0x80 && b <= 0x9F {
			return encCP1252
		}
	}
	return encLatin1
}

// newDecoder returns a reader of UTF-8 text from r, in encoding enc (BOM
// dropped), reading bufSize bytes at a time.
func newDecoder(r io.Reader, enc string, bufSize int) *decoder {
	d := &decoder{src: r, buf: make([]byte, max(bufSize, 16))}
	switch enc {
	case encUTF16LE:
		d.src = transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	case encUTF16BE:
		d.src = transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder())
	case encLatin1, encCP1252:
		d.singleByte = true
	case encUTF8BOM:
		d.skipBOM = true
	}
	return d
}

// decoder turns UTF-8 (with or without BOM), UTF-16 and ISO-8859-1/
// Windows-1252 into UTF-8. In UTF-8 mode, a byte that is not valid UTF-8 is
// decoded as Windows-1252 rather than failing: files assembled from several
// sources often mix the two, and the head said UTF-8.
type decoder struct {
	src        io.Reader
	singleByte bool
	skipBOM    bool
	buf        []byte
	pend       [4]byte // undecoded bytes: a UTF-8 sequence cut by the end of a read
	npend      int
	out        []byte // decoded bytes not yet returned
	conv       []byte
	err        error

	sawC1     bool  // a byte in 0x80–0x9F (Windows-1252 rather than ISO-8859-1)
	sawUTF8   bool  // a valid multi-byte UTF-8 sequence
	fallbacks int64 // invalid UTF-8 bytes decoded as Windows-1252
}

func (d *decoder) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		copy(d.buf, d.pend[:d.npend])
		n, err := d.src.Read(d.buf[d.npend:])
		chunk := d.buf[:d.npend+n]
		d.npend = 0
		if err != nil {
			d.err = err
		}
		if d.skipBOM {
			if len(chunk) < 3 && d.err == nil {
				d.npend = copy(d.pend[:], chunk)
				continue
			}
			chunk = bytes.TrimPrefix(chunk, []byte{0xEF, 0xBB, 0xBF})
			d.skipBOM = false
		}
		if !d.singleByte && d.err == nil {
			whole := completeUTF8(chunk)
			d.npend = copy(d.pend[:], chunk[whole:])
			chunk = chunk[:whole]
		}
		d.out = d.decode(chunk)
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// decode returns chunk as UTF-8: chunk itself when it needs no conversion.
func (d *decoder) decode(chunk []byte) []byte {
	if !d.singleByte && utf8.Valid(chunk) {
		if !d.sawUTF8 && bytes.IndexFunc(chunk, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0 {
			d.sawUTF8 = true
		}
		return chunk
	}
	if d.singleByte {
		if !hasHighByte(chunk) {
			return chunk
		}
		d.conv = d.conv[:0]
		for _, b := range chunk {
			if b < 0x80 {
				d.conv = append(d.conv, b)
				continue
			}
			if b <= 0x9F {
				d.sawC1 = true
			}
			d.conv = append(d.conv, cp1252[b]...)
		}
		return d.conv
	}
	d.conv = d.conv[:0]
	for i := 0; i < len(chunk); {
		b := chunk[i]
		if b < 0x80 {
			d.conv = append(d.conv, b)
			i++
			continue
		}
		r, w := utf8.DecodeRune(chunk[i:])
		if r == utf8.RuneError && w == 1 {
			if b <= 0x9F {
				d.sawC1 = true
			}
			d.fallbacks++
			d.conv = append(d.conv, cp1252[b]...)
			i++
			continue
		}
		d.sawUTF8 = true
		d.conv = append(d.conv, chunk[i:i+w]...)
		i += w
	}
	return d.conv
}

// encoding is the file's encoding once read to the end: a file that looked
// like UTF-8 in its head but held only Windows-1252 bytes beyond is labelled
// as the single-byte code page it is (its bytes were decoded as such).
func (d *decoder) encoding(sniffed string) string {
	single := d.singleByte || (sniffed == encUTF8 && d.fallbacks > 0 && !d.sawUTF8)
	switch {
	case !single:
		return sniffed
	case d.sawC1:
		return encCP1252
	default:
		return encLatin1
	}
}

// completeUTF8 is the length of the longest prefix of b that does not end
// in the middle of a UTF-8 sequence.
func completeUTF8(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-3; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}

func hasHighByte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}
