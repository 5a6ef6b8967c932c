package tabular

import (
	"database/sql"
	"strconv"
	"strings"
)

// cell writes a value read from the database as JSON, by its output type.
func (w *pyJSON) cell(typ string, v any) {
	if v == nil {
		w.null()
		return
	}
	switch typ {
	case TypeInt:
		switch x := v.(type) {
		case int64:
			w.int(x)
			return
		case float64:
			w.float(x)
			return
		}
	case TypeFloat:
		switch x := v.(type) {
		case float64:
			w.float(x)
			return
		case int64:
			w.float(float64(x))
			return
		}
	case TypeBool:
		switch x := v.(type) {
		case bool:
			w.boolean(x)
			return
		case int64: // SQLite stores booleans as 0 and 1
			w.boolean(x != 0)
			return
		}
	case TypeDatetime:
		w.str(displayDatetime(text(v)))
		return
	case typeNaiveDatetime:
		w.str(strings.TrimSuffix(displayDatetime(text(v)), "Z"))
		return
	case TypeJSON:
		w.document(text(v))
		return
	}
	w.str(text(v))
}

// csvCell is a value read from the database as a CSV field: "" for NULL,
// JSON documents as their text.
func csvCell(buf *pyJSON, typ string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		if typ == TypeBool {
			return strconv.FormatBool(x != 0)
		}
		if typ == TypeFloat {
			return csvFloat(buf, float64(x))
		}
		return strconv.FormatInt(x, 10)
	case float64:
		return csvFloat(buf, x)
	case bool:
		return strconv.FormatBool(x)
	}
	switch typ {
	case TypeDatetime:
		return displayDatetime(text(v))
	case typeNaiveDatetime:
		return strings.TrimSuffix(displayDatetime(text(v)), "Z")
	}
	return text(v)
}

func csvFloat(buf *pyJSON, x float64) string {
	buf.reset()
	buf.float(x)
	return string(buf.bytes())
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// scanner reads rows of n columns into reused holders.
type scanner struct {
	vals []any
	ptrs []any
}

func newScanner(n int) *scanner {
	s := &scanner{vals: make([]any, n), ptrs: make([]any, n)}
	for i := range s.vals {
		s.ptrs[i] = &s.vals[i]
	}
	return s
}

func (s *scanner) scan(rows *sql.Rows) error { return rows.Scan(s.ptrs...) }
