package analysis

import (
	"bytes"
)

// Sniffing looks at the head of the file (sniffBytes of it, at most
// sniffRecords records) before the full pass.
const (
	sniffBytes   = 512 << 10
	sniffRecords = 200
	// maxPreamble is how many title lines may precede the header.
	maxPreamble = 20
)

// dialect is what sniffing decides about a delimited text file.
type dialect struct {
	comma, quote byte
	headerRow    int
	columns      bool // false: a one-column file, comma is a byte it does not hold
}

// oneColumn is the dialect of a file no delimiter splits regularly: its
// delimiter is one the file does not hold, so that its lines stay whole.
func oneColumn(sample []byte, quote byte) dialect {
	for _, c := range []byte{',', ';', '\t', '|'} {
		if bytes.IndexByte(sample, c) < 0 {
			return dialect{comma: c, quote: quote}
		}
	}
	return dialect{comma: ',', quote: quote}
}

// sniffDialect picks the delimiter whose record widths are the most regular
// over the head (tie: the wider table, then ; TAB , | in that order, the
// French habit), the quote character, and the header row: the first record
// as wide as the table whose cells are mostly filled (a title line such as
// "Titre du rapport" before it is skipped).
func sniffDialect(sample []byte, hint string, lim Limits) dialect {
	quote := sniffQuote(sample)
	candidates := []byte{';', '\t', ',', '|'}
	if hint == "tsv" {
		candidates = []byte{'\t', ';', ',', '|'}
	}
	best := oneColumn(sample, quote)
	bestScore, bestWidth := -1.0, 0
	for _, comma := range candidates {
		widths, filled, index := sampleWidths(sample, comma, quote, lim)
		width, share := modalWidth(widths)
		if width < 2 || share < 0.5 {
			continue
		}
		if share > bestScore+1e-9 || (share > bestScore-1e-9 && width > bestWidth) {
			best = dialect{comma: comma, quote: quote, headerRow: headerRow(widths, filled, index, width), columns: true}
			bestScore, bestWidth = share, width
		}
	}
	return best
}

// sampleWidths parses the sample with one delimiter and returns each
// non-blank record's width (trailing empty cells not counted: "1;2;3;" is
// three wide), count of non-empty cells and index among all records (blank
// ones included).
func sampleWidths(sample []byte, comma, quote byte, lim Limits) (widths, filled, index []int) {
	lim.MaxColumns = 1 << 16 // the sample is bounded; too many columns is for the full pass to say
	r := newCSVReader(bytes.NewReader(sample), comma, quote, lim, min(len(sample)+16, csvBuffer))
	for i := 0; len(widths) < sniffRecords; i++ {
		rec, err := r.Read()
		if err != nil {
			break
		}
		n, w := filledWidth(rec)
		if n == 0 {
			continue
		}
		widths = append(widths, w)
		filled = append(filled, n)
		index = append(index, i)
	}
	return widths, filled, index
}

// modalWidth is the most common width and the share of records having it.
func modalWidth(widths []int) (int, float64) {
	if len(widths) == 0 {
		return 0, 0
	}
	counts := map[int]int{}
	mode := 0
	for _, w := range widths {
		counts[w]++
		if counts[w] > counts[mode] || (counts[w] == counts[mode] && w > mode) {
			mode = w
		}
	}
	return mode, float64(counts[mode]) / float64(len(widths))
}

func headerRow(widths, filled, index []int, width int) int {
	for i := 0; i < len(widths) && i <= maxPreamble; i++ {
		if widths[i] >= width && 2*filled[i] > width {
			return index[i]
		}
	}
	return 0
}

// sniffQuote is the double quote, unless the file quotes its cells with
// single quotes only.
func sniffQuote(sample []byte) byte {
	if bytes.IndexByte(sample, '"') >= 0 {
		return '"'
	}
	opened := 0
	for _, d := range []string{";'", ",'", "\t'", "\n'"} {
		opened += bytes.Count(sample, []byte(d))
	}
	if opened > 0 && (bytes.HasPrefix(sample, []byte("'")) || opened > 2) {
		return '\''
	}
	return '"'
}
