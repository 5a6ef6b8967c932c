package analysis

import (
	"strings"
	"time"
)

// Dates: ISO (2024-03-30, 2024/03/30) and French (30/03/2024, 9/7/1952,
// 30-03-2024, 30.03.2024) numeric forms; French words (30 mars 2024,
// 1er janvier 2024) are date_fr.
func isDate(s string) bool {
	_, ok := parseDate(s)
	return ok
}

func parseDate(s string) (time.Time, bool) {
	if len(s) < 8 || len(s) > 10 {
		return time.Time{}, false
	}
	var y, m, d int
	if (s[4] == '-' || s[4] == '/') && isDigits(s[:4]) { // year first
		if len(s) != 10 || s[7] != s[4] {
			return time.Time{}, false
		}
		y, m, d = atoi(s[:4]), atoi(s[5:7]), atoi(s[8:10])
	} else {
		sep := byte(0)
		parts := [3]string{}
		n, start := 0, 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c == '/' || c == '-' || c == '.' {
				if sep != 0 && c != sep || n == 2 {
					return time.Time{}, false
				}
				sep = c
				parts[n] = s[start:i]
				n++
				start = i + 1
			}
		}
		if n != 2 {
			return time.Time{}, false
		}
		parts[2] = s[start:]
		if len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) != 4 {
			return time.Time{}, false
		}
		d, m, y = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
	}
	return validDate(y, m, d)
}

// atoi reads 1–4 digits, -1 when they are not all digits.
func atoi(s string) int {
	if s == "" || len(s) > 4 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// validDate accepts any four-digit year from 0001: real files hold typos
// like "0201-01-01", which are dates all the same.
func validDate(y, m, d int) (time.Time, bool) {
	if y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

var frenchMonths = map[string]int{
	"janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
	"juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
	"décembre": 12, "decembre": 12,
}

var frenchDays = map[string]bool{
	"lundi": true, "mardi": true, "mercredi": true, "jeudi": true, "vendredi": true, "samedi": true, "dimanche": true,
}

func isDateFR(s string) bool {
	_, ok := parseDateFR(s)
	return ok
}

// parseDateFR reads "[lundi] 30 mars 2024" and "1er janvier 2024".
func parseDateFR(s string) (time.Time, bool) {
	if len(s) < 10 || len(s) > 40 || s[0] < '0' || (s[0] > '9' && s[0] < 'A') {
		return time.Time{}, false
	}
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 4 && frenchDays[f[0]] {
		f = f[1:]
	}
	if len(f) != 3 {
		return time.Time{}, false
	}
	m, ok := frenchMonths[f[1]]
	if !ok || len(f[2]) != 4 {
		return time.Time{}, false
	}
	day := strings.TrimSuffix(f[0], "er")
	if len(day) > 2 {
		return time.Time{}, false
	}
	return validDate(atoi(f[2]), m, atoi(day))
}

func isDatetimeAware(s string) bool {
	_, aware, ok := parseDatetime(s)
	return ok && aware
}

// isDatetimeNaive also accepts plain dates: a column mixing "2024-03-30"
// and "2024-03-30 12:00" is a datetime column.
func isDatetimeNaive(s string) bool {
	_, aware, ok := parseDatetime(s)
	return ok && !aware
}

// parseDatetime reads a date (as parseDate) optionally followed by T or a
// space, hh:mm[:ss[.fraction]] and a zone (Z, ±hh, ±hhmm, ±hh:mm).
func parseDatetime(s string) (t time.Time, aware, ok bool) {
	cut := -1
	for i := 8; i <= 10 && i < len(s); i++ { // after the 8–10 bytes of a date
		if s[i] == 'T' || s[i] == ' ' {
			cut = i
			break
		}
	}
	if cut < 0 {
		d, ok := parseDate(s)
		return d, false, ok
	}
	d, ok := parseDate(s[:cut])
	if !ok {
		return time.Time{}, false, false
	}
	rest := s[cut+1:]
	if len(rest) < 5 || rest[2] != ':' {
		return time.Time{}, false, false
	}
	hh, mm := atoi(rest[:2]), atoi(rest[3:5])
	rest = rest[5:]
	ss, nanos := 0, 0
	if len(rest) >= 3 && rest[0] == ':' {
		ss = atoi(rest[1:3])
		rest = rest[3:]
		if len(rest) > 1 && (rest[0] == '.' || rest[0] == ',') {
			i := 1
			for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
				i++
			}
			frac := rest[1:i]
			if frac == "" || len(frac) > 9 {
				return time.Time{}, false, false
			}
			nanos = atoi9(frac)
			rest = rest[i:]
		}
	}
	if hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60 {
		return time.Time{}, false, false
	}
	loc := time.UTC
	switch {
	case rest == "":
	case rest == "Z" || rest == "z":
		aware = true
	case rest[0] == '+' || rest[0] == '-':
		off := strings.ReplaceAll(rest[1:], ":", "")
		if (len(off) != 2 && len(off) != 4) || !isDigits(off) {
			return time.Time{}, false, false
		}
		oh, om := atoi(off[:2]), 0
		if len(off) == 4 {
			om = atoi(off[2:])
		}
		if oh > 14 || om > 59 {
			return time.Time{}, false, false
		}
		secs := oh*3600 + om*60
		if rest[0] == '-' {
			secs = -secs
		}
		loc = time.FixedZone("", secs)
		aware = true
	default:
		return time.Time{}, false, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, ss, nanos, loc), aware, true
}

func atoi9(frac string) int {
	n := 0
	for i := 0; i < 9; i++ {
		n *= 10
		if i < len(frac) {
			n += int(frac[i] - '0')
		}
	}
	return n
}
