package analysis

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Parse converts a cell of col to the value stored in the tabular store:
// int64, float64, bool, string (a date as "2006-01-02", a datetime as RFC
// 3339 — without an offset when the file gave none —, JSON and strings as
// their text), or nil when the cell is empty or missing. Surrounding
// spaces are dropped. A cell that does not fit the column's type is an
// error (Analyze only types a column when every cell fits).
func Parse(col Column, cell string) (any, error) {
	s := trimCell(cell)
	if isNull(s) {
		return nil, nil
	}
	switch col.Type {
	case "int":
		if v, ok := parseInt(s); ok {
			return v, nil
		}
	case "float":
		if v, ok := parseFloat(s); ok {
			return v, nil
		}
	case "bool":
		if v, ok := parseBool(s); ok {
			return v, nil
		}
	case "date":
		if t, ok := parseDate(s); ok {
			return t.Format(time.DateOnly), nil
		}
		if t, ok := parseDateFR(s); ok {
			return t.Format(time.DateOnly), nil
		}
	case "datetime":
		if t, aware, ok := parseDatetime(s); ok {
			return formatDatetime(t, aware), nil
		}
	case "json":
		if json.Valid([]byte(s)) {
			return s, nil
		}
	case "string", "":
		return s, nil
	default:
		return nil, fmt.Errorf("column %q: unknown type %q", col.Name, col.Type)
	}
	return nil, fmt.Errorf("column %q: %q is not a %s", col.Name, truncate(s, 80), col.Type)
}

// formatDatetime writes RFC 3339 with the file's offset, or the naive
// local form (no offset) when the file gave none.
func formatDatetime(t time.Time, aware bool) string {
	if aware {
		return t.Format(time.RFC3339Nano)
	}
	return t.Format("2006-01-02T15:04:05.999999999")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
