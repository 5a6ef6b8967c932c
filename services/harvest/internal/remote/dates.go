package remote

import (
	"strings"
	"time"
)

// dateLayouts are the date forms sources write: udata's (Python isoformat,
// with or without microseconds and offset), RFC 3339, xsd:date.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
	"2006-01",
	"2006",
}

// parseDate reads a source's date in UTC; the zero time when it is absent
// or unreadable (a bad date is not worth failing a dataset for).
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
