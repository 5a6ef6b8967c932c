package tableschema

// Limits bound what Validate keeps and reads. Validation streams rows and
// holds one row at a time; only "unique" constraints remember values, and
// at most MaxUniqueValues of them per field.
type Limits struct {
	// MaxErrors is how many errors (and, separately, warnings) the report
	// lists; all are counted.
	MaxErrors int
	// MaxCellBytes: a longer cell is a cell-too-long error and is not
	// checked further (a pattern on 10 MB of text helps nobody).
	MaxCellBytes int
	// MaxUniqueValues is how many distinct values a "unique" field
	// remembers (each costs its length plus about 50 bytes). Beyond it the
	// constraint is no longer checked and the report says so.
	MaxUniqueValues int
	// MaxRows stops validation after that many data rows (0: no limit);
	// the report is then marked Truncated.
	MaxRows int64
	// RowOffset is added to row numbers, for lines skipped before the
	// header (analysis.Profile.HeaderRow).
	RowOffset int64
}

// DefaultLimits are what the preview service uses: 1 000 listed errors,
// 64 KiB cells, 1 000 000 remembered unique values per field, no row limit.
func DefaultLimits() Limits {
	return Limits{MaxErrors: 1000, MaxCellBytes: 64 << 10, MaxUniqueValues: 1_000_000}
}

func (l Limits) orDefaults() Limits {
	d := DefaultLimits()
	if l.MaxErrors <= 0 {
		l.MaxErrors = d.MaxErrors
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = d.MaxCellBytes
	}
	if l.MaxUniqueValues <= 0 {
		l.MaxUniqueValues = d.MaxUniqueValues
	}
	return l
}
