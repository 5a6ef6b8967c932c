package sqldb

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Time is a time.Time stored as BIGINT unix microseconds, the portable
// timestamp convention (see the package doc). It is scanned back in UTC,
// truncated to the microsecond. The zero Time is stored as NULL and NULL
// scans as the zero Time.
type Time struct{ time.Time }

// TimeOf truncates t to the microsecond, as it will be stored.
func TimeOf(t time.Time) Time {
	if t.IsZero() {
		return Time{}
	}
	return Time{time.UnixMicro(t.UnixMicro()).UTC()}
}

// Value implements driver.Valuer.
func (t Time) Value() (driver.Value, error) {
	if t.IsZero() {
		return nil, nil
	}
	return t.UnixMicro(), nil
}

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = Time{}
	case int64:
		*t = Time{time.UnixMicro(v).UTC()}
	default:
		return fmt.Errorf("scan sqldb.Time: want an integer of unix microseconds, got %T", src)
	}
	return nil
}
