package udata

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// harvestTime reads a date that a harvester stored in a harvest object
// ("issued_at", "modified_at"…). Harvesters write ISO 8601 with or without
// an offset (naive values are UTC, as in udata) or a plain date.
func harvestTime(h []byte, key string) (time.Time, bool) {
	if len(h) == 0 {
		return time.Time{}, false
	}
	s, ok := rawString(h, key)
	if !ok || s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// firstTime writes the first harvest date found among keys, else fallback.
func (w *Writer) firstTime(h []byte, fallback *timestamppb.Timestamp, keys ...string) {
	if len(h) > 0 {
		for _, k := range keys {
			if t, ok := harvestTime(h, k); ok {
				w.GoTime(t)
				return
			}
		}
	}
	w.Time(fallback)
}
