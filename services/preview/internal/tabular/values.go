package tabular

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// datetimeLayout is how datetimes are stored: UTC, fixed width, so that
// lexical order is chronological.
const datetimeLayout = "2006-01-02T15:04:05.000000Z"

const dateLayout = "2006-01-02"

// storeValue converts a value given to Load to what column type t stores.
// Values of the column's own Go type pass as they are; strings are parsed,
// so that a loader may also hand over raw cells.
func storeValue(t string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case TypeInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return int64(x), nil
			}
		case string:
			return parseOrNil(x, func(s string) (any, error) { return strconv.ParseInt(s, 10, 64) })
		}
	case TypeFloat:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case int:
			return float64(x), nil
		case string:
			return parseOrNil(x, func(s string) (any, error) { return strconv.ParseFloat(s, 64) })
		}
	case TypeBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			return parseOrNil(x, func(s string) (any, error) { return parseBool(s) })
		}
	case TypeDate:
		switch x := v.(type) {
		case time.Time:
			return x.Format(dateLayout), nil
		case string:
			return parseOrNil(x, parseDate)
		}
	case TypeDatetime:
		switch x := v.(type) {
		case time.Time:
			return formatDatetime(x)
		case string:
			return parseOrNil(x, parseDatetime)
		}
	case TypeJSON:
		switch x := v.(type) {
		case string:
			return cleanText(x), nil
		case []byte:
			return cleanText(string(x)), nil
		case json.RawMessage:
			return cleanText(string(x)), nil
		default:
			b, err := json.Marshal(x)
			if err != nil {
				return nil, fmt.Errorf("value %v: %w", v, err)
			}
			return string(b), nil
		}
	default: // string
		switch x := v.(type) {
		case string:
			return cleanText(x), nil
		case []byte:
			return cleanText(string(x)), nil
		default:
			return fmt.Sprint(x), nil
		}
	}
	return nil, fmt.Errorf("value %v (%T) is not a %s", v, v, t)
}

// cleanText makes s storable in PostgreSQL's TEXT, which refuses NUL and
// invalid UTF-8 (done in SQLite too, so that both hold the same): invalid
// bytes become U+FFFD and NUL is removed.
func cleanText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// parseOrNil parses a non-empty string with parse, "" being NULL.
func parseOrNil(s string, parse func(string) (any, error)) (any, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	v, err := parse(s)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// parseBool accepts the spellings of PostgreSQL's boolean input and
// French oui/non.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "t", "1", "yes", "y", "on", "oui":
		return true, nil
	case "false", "f", "0", "no", "n", "off", "non":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (true or false)", s)
}

// parseDate accepts an ISO 8601 date, 2006-01-02.
func parseDate(s string) (any, error) {
	s = strings.TrimSpace(s)
	if isDate(s) {
		return s, nil // already as stored: most loads give dates so
	}
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return d.Format(dateLayout), nil
}

// datetimeInputs are the datetime forms accepted in values and filters;
// those without a zone are taken as UTC.
var datetimeInputs = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	dateLayout,
}

// parseDatetime returns the stored form of a datetime.
func parseDatetime(s string) (any, error) {
	s = strings.TrimSpace(s)
	for _, layout := range datetimeInputs {
		if t, err := time.Parse(layout, s); err == nil {
			return formatDatetime(t)
		}
	}
	return nil, fmt.Errorf("%q is not a datetime (ISO 8601, e.g. 2024-05-31T14:30:00Z)", s)
}

func formatDatetime(t time.Time) (any, error) {
	t = t.UTC()
	if t.Year() < 0 || t.Year() > 9999 {
		return nil, fmt.Errorf("datetime %s is out of range (years 0 to 9999)", t)
	}
	return appendDatetime(make([]byte, 0, len(datetimeLayout)), t), nil
}

// appendDatetime writes t (UTC, years 0 to 9999) as datetimeLayout does,
// a few times faster than Format, which interprets its layout each time
// (a load formats every datetime cell).
func appendDatetime(b []byte, t time.Time) string {
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, int(mo), 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, h, 2)
	b = append(b, ':')
	b = appendDigits(b, mi, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/1000, 6)
	return string(append(b, 'Z'))
}

// appendDigits appends n (≥ 0) in width digits, zero-padded.
func appendDigits(b []byte, n, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		b = append(b, 0)
	}
	for i := len(b) - 1; width > 0; i, width = i-1, width-1 {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}

// isDate reports whether s is a valid date written as dateLayout
// (2006-01-02), which time.Parse would accept and Format give back.
func isDate(s string) bool {
	if len(s) != len(dateLayout) || s[4] != '-' || s[7] != '-' {
		return false
	}
	y, ok1 := digits(s[:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 {
		return false
	}
	// The day after the month's last is the next month's first.
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() == d
}

// digits parses s, only ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// displayDatetime turns a stored datetime into RFC 3339 without trailing
// zeros in the fraction: 2024-05-31T14:30:00.5Z.
func displayDatetime(s string) string {
	if len(s) != len(datetimeLayout) {
		return s
	}
	frac := strings.TrimRight(s[20:26], "0")
	if frac == "" {
		return s[:19] + "Z"
	}
	return s[:19] + "." + frac + "Z"
}
