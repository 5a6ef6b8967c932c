package tabular

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestFastDates: the fast paths of dates and datetimes give what
// time.Parse and Format give, on valid and invalid input.
func TestFastDates(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100_000 {
		tm := time.Date(rng.IntN(10_000), time.Month(1+rng.IntN(12)), 1+rng.IntN(31), rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1e9), time.UTC)
		if got, want := appendDatetime(nil, tm), tm.Format(datetimeLayout); got != want {
			t.Fatalf("appendDatetime(%v) = %s, want %s", tm, got, want)
		}
		s := []byte(tm.Format(dateLayout))
		if rng.IntN(2) == 0 { // break it somewhere
			s[rng.IntN(len(s))] = "0123456789-x "[rng.IntN(13)]
		}
		_, err := time.Parse(dateLayout, string(s))
		if isDate(string(s)) != (err == nil) {
			t.Fatalf("isDate(%q) = %v, time.Parse: %v", s, isDate(string(s)), err)
		}
	}
	for _, s := range []string{"2024-02-29", "2023-02-29", "2024-04-31", "2024-00-10", "2024-13-01", "0000-01-01", "2024-1-01", "2024-01-00"} {
		_, err := time.Parse(dateLayout, s)
		if isDate(s) != (err == nil) {
			t.Errorf("isDate(%q) = %v, time.Parse: %v", s, isDate(s), err)
		}
	}
}
