// Package analysis understands a data file the way data.gouv.fr's hydra and
// csv-detective do: its container (gzip, zip), format, encoding, delimiter,
// header row, the type and csv-detective format of each column, and
// per-column statistics. It reads the file once, streaming, in constant
// memory, so a 1 GB CSV costs no more RAM than a 1 MB one; Rows then streams
// the same records again, decoded, for the tabular store.
package analysis

import (
	"errors"
	"fmt"
	"time"
)

// ErrUnreadable marks a file that cannot be previewed. The wrapped message is
// the reason shown to people on the resource ("analysis:parsing:error"), in
// English like the rest of hydra's check:* and analysis:* values.
var ErrUnreadable = errors.New("unreadable file")

// unreadable returns an error wrapping ErrUnreadable whose message is only the
// human reason (errors.Is still finds ErrUnreadable).
func unreadable(format string, args ...any) error {
	return &unreadableError{reason: fmt.Sprintf(format, args...)}
}

type unreadableError struct{ reason string }

func (e *unreadableError) Error() string        { return e.reason }
func (e *unreadableError) Is(target error) bool { return target == ErrUnreadable }

// Limits bound what one analysis may read, so that no file can exhaust
// memory or time. A zero field takes its value from DefaultLimits. Crossing
// a limit fails the analysis with its reason: a preview silently cut short
// would mislead.
type Limits struct {
	MaxBytes     int64   // decompressed bytes read
	MaxRows      int64   // data rows after the header
	MaxColumns   int     // cells in one record
	MaxCellBytes int     // bytes in one cell (a whole CSV record is bounded by 2× this)
	MaxRatio     float64 // decompressed/compressed bytes, against zip bombs
}

// DefaultLimits fits the targets: multi-gigabyte CSVs, the 1.75 MB
// description cells of the data.gouv.fr catalogue, the 228-column
// lave-linge files, and gzip/zip ratios real CSVs reach (rarely above 30).
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:     8 << 30,
		MaxRows:      100_000_000,
		MaxColumns:   2000,
		MaxCellBytes: 8 << 20,
		MaxRatio:     200,
	}
}

// Profile is what Analyze learnt about a file.
type Profile struct {
	Container string // "", "gzip", "zip"
	Entry     string // the member read inside a zip archive
	Format    string // csv, tsv, xlsx, ods, json, geojson
	MimeType  string // of the file as stored (hydra's analysis:mime-type)
	Encoding  string // UTF-8, UTF-8-SIG, UTF-16LE, UTF-16BE, ISO-8859-1, WINDOWS-1252
	Delimiter string // one character; "" for sheets and JSON
	Quote     string // the quote character of the CSV dialect
	HeaderRow int    // records skipped before the header (title and blank lines)
	Columns   []Column
	RowCount  int64 // data rows, blank rows not counted

	// Duplicates counts rows equal to an earlier row. Exact while the file
	// has at most dupCap distinct rows; beyond, a lower bound
	// (DuplicatesExact false).
	Duplicates      int64
	DuplicatesExact bool
	// RaggedRows counts rows whose number of cells differed from the
	// header's (they are padded with empty cells or cut to the header).
	RaggedRows int64
	// Windows1252Bytes counts bytes of a UTF-8 file that were not valid
	// UTF-8 and were decoded as Windows-1252 instead.
	Windows1252Bytes int64

	FileSize   int64  // bytes of the file as stored
	Bytes      int64  // decompressed bytes read
	Checksum   string // sha1 of the file as stored, hex (hydra's analysis:checksum)
	StartedAt  time.Time
	FinishedAt time.Time
}

// Column is one column of the table.
type Column struct {
	Name   string
	Type   string // string|int|float|bool|date|datetime|json
	Format string // csv-detective's format name (siren, siret, code_postal, date, …; "string" when none)
	// Score follows csv-detective: the share of non-empty cells matching
	// the format, plus 0.5 when the column name also suggests it.
	Score float64
	// FieldFormat is the format the values alone give (csv-detective's
	// columns_fields), LabelFormat the one the column name alone suggests
	// (its columns_labels), "string" when none.
	FieldFormat string
	LabelFormat string
	Stats       ColumnStats
}

// ColumnStats are a column's statistics over every row.
type ColumnStats struct {
	Nulls int64 // empty cells (or NA, N/A, null, NaN, None)
	// Distinct non-empty values: exact (DistinctExact) while the column has
	// at most a few thousand of them, then a HyperLogLog estimate
	// (precision 12, about 1.6 % standard error, 4 KiB per column).
	Distinct      int64
	DistinctExact bool
	// Tops are the most frequent values, most frequent first (at most 10).
	// Exact while Distinct is exact; beyond, Misra-Gries counters over a
	// sample of the rows, whose counts are estimates (TopsExact false).
	Tops      []ValueCount
	TopsExact bool
	// Min and Max for int (int64), float (float64), date and datetime
	// (string, as Parse returns them) columns; nil otherwise.
	Min, Max any
	// Mean and Std of numeric columns (population standard deviation).
	Mean, Std float64
}

// ValueCount is one of a column's most frequent values.
type ValueCount struct {
	Value string
	Count int64
}
