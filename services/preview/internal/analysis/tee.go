package analysis

import "hash/maphash"

// RowTee receives a table's data rows while Analyze reads them, so that the
// rows are loaded in the same pass as they are profiled instead of in a
// second reading of the file.
type RowTee interface {
	// Header is called once, with the file's format and column names,
	// before any row; false means no row is wanted.
	Header(format string, names []string) bool
	// Rows receives the next rows, each of len(names) cells, end to end.
	// The slice is reused once Rows returns, but the strings may be kept.
	// Rows may block: reading waits for it.
	Rows(cells []string)
}

// PredictColumns types columns from their first rows (cells end to end, as
// RowTee.Rows gives them), the way Analyze types a whole file: a loader
// that starts storing rows before the analysis ends stores them as these
// types, and Analyze's columns say whether the prediction held.
func PredictColumns(names []string, cells []string) []Column {
	seed := maphash.MakeSeed()
	states := make([]*columnState, len(names))
	for i, name := range names {
		states[i] = newColumnState(name, 32, seed)
	}
	for r := 0; r+len(names) <= len(cells) && len(names) > 0; r += len(names) {
		for i, cell := range cells[r : r+len(names)] {
			states[i].add(cell)
		}
	}
	cols := make([]Column, len(names))
	for i, c := range states {
		cols[i] = c.column()
	}
	return cols
}
