package sqldb

import "strings"

// Placeholders is "?, ?, …" for n values, the inside of an IN (…) list
// (Rebind turns them into $n for PostgreSQL); "" for none.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// StringArgs turns strings into query arguments.
func StringArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Rows returns n rows of cols placeholders for a multi-row VALUES:
// "(?, ?), (?, ?)".
func Rows(n, cols int) string {
	if n <= 0 {
		return ""
	}
	row := "(" + Placeholders(cols) + ")"
	return strings.Repeat(row+", ", n-1) + row
}
