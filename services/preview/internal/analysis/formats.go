package analysis

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// format is one of csv-detective's formats: a test on one cell and the
// type of the values it stores.
type format struct {
	name  string
	typ   string // string|int|float|bool|date|datetime|json
	test  func(s string) bool
	label []string // words of a column name that suggest the format
	// needsLabel formats are only considered when the column name suggests
	// them: any number in [-90, 90] is not a latitude.
	needsLabel bool
}

// Format bits, in the order a column's remaining candidates are decided
// (the most specific first).
const (
	fBool = iota
	fSIRET
	fSIREN
	fPostcode
	fINSEE
	fLatitude
	fLongitude
	fYear
	fInt
	fFloat
	fDate
	fDateFR
	fDatetimeAware
	fDatetimeNaive
	fGeopoint
	fEmail
	fURL
	fUUID
	fObjectID
	fJSON
	nFormats
)

var formats = [nFormats]format{
	fBool:          {name: "booleen", typ: "bool", test: isBool, label: []string{"est", "is", "has", "booleen", "bool"}},
	fSIRET:         {name: "siret", typ: "string", test: isSIRET, label: []string{"siret"}},
	fSIREN:         {name: "siren", typ: "string", test: isSIREN, label: []string{"siren"}},
	fINSEE:         {name: "code_commune_insee", typ: "string", test: isINSEE, label: []string{"insee", "code_commune", "codecommune", "depcom", "com", "cog", "code_insee", "codeinsee"}},
	fPostcode:      {name: "code_postal", typ: "string", test: isPostcode, label: []string{"code_postal", "codepostal", "postal", "cp", "postcode", "zip"}},
	fLatitude:      {name: "latitude_wgs", typ: "float", test: isLatitude, label: []string{"lat", "latitude", "y_wgs84", "lat_wgs84"}, needsLabel: true},
	fLongitude:     {name: "longitude_wgs", typ: "float", test: isLongitude, label: []string{"lon", "lng", "long", "longitude", "x_wgs84", "lon_wgs84"}, needsLabel: true},
	fYear:          {name: "year", typ: "int", test: isYear, label: []string{"annee", "year", "millesime", "exercice"}, needsLabel: true},
	fInt:           {name: "int", typ: "int", test: isInt},
	fFloat:         {name: "float", typ: "float", test: isFloat},
	fDate:          {name: "date", typ: "date", test: isDate, label: []string{"date", "jour", "day"}},
	fDateFR:        {name: "date_fr", typ: "date", test: isDateFR, label: []string{"date", "jour"}},
	fDatetimeAware: {name: "datetime_aware", typ: "datetime", test: isDatetimeAware, label: []string{"datetime", "date", "horodatage", "timestamp"}},
	fDatetimeNaive: {name: "datetime_naive", typ: "datetime", test: isDatetimeNaive, label: []string{"datetime", "date", "horodatage", "timestamp"}},
	fGeopoint:      {name: "geopoint", typ: "string", test: isGeopoint, label: []string{"geopoint", "geo_point", "geo_point_2d", "coordonnees", "coordinates", "latlon", "lat_lon"}},
	fEmail:         {name: "email", typ: "string", test: isEmail, label: []string{"email", "mail", "courriel", "e_mail"}},
	fURL:           {name: "url", typ: "string", test: isURL, label: []string{"url", "lien", "link", "site", "site_web", "website"}},
	fUUID:          {name: "uuid", typ: "string", test: isUUID, label: []string{"uuid", "id"}},
	fObjectID:      {name: "mongo_object_id", typ: "string", test: isObjectID, label: []string{"id"}},
	fJSON:          {name: "json", typ: "json", test: isJSON, label: []string{"json", "geo_shape", "geometry", "geom"}},
}

// nullValues are read as missing, as pandas (and so csv-detective) does.
func isNull(s string) bool {
	switch s {
	case "", "NA", "N/A", "n/a", "NULL", "null", "NaN", "nan", "None", "none", "#N/A":
		return true
	}
	return false
}

// trimCell drops the spaces that fixed-width exports pad cells with.
func trimCell(s string) string {
	if len(s) == 0 || (s[0] != ' ' && s[len(s)-1] != ' ' && s[0] != '\t' && s[len(s)-1] != '\t') {
		return s
	}
	return strings.Trim(s, " \t")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isBool(s string) bool {
	_, ok := parseBool(s)
	return ok
}

func parseBool(s string) (bool, bool) {
	if len(s) > 5 {
		return false, false
	}
	switch strings.ToLower(s) {
	case "1", "true", "vrai", "oui", "yes", "t", "o", "y":
		return true, true
	case "0", "false", "faux", "non", "no", "f", "n":
		return false, true
	}
	return false, false
}

// luhn is the checksum of SIREN and SIRET numbers.
func luhn(s string) bool {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func isSIREN(s string) bool { return len(s) == 9 && isDigits(s) && luhn(s) }

// isSIRET checks the Luhn key, except for La Poste's establishments (SIREN
// 356000000), whose SIRETs have digits summing to a multiple of 5 instead.
func isSIRET(s string) bool {
	if len(s) != 14 || !isDigits(s) {
		return false
	}
	if strings.HasPrefix(s, "356000000") && s != "35600000000048" {
		sum := 0
		for i := 0; i < len(s); i++ {
			sum += int(s[i] - '0')
		}
		return sum%5 == 0
	}
	return luhn(s)
}

// isINSEE: a commune code is its département (01–95 with 2A/2B for Corsica,
// 97x overseas) and three digits.
func isINSEE(s string) bool {
	if len(s) != 5 || !isDigits(s[2:]) {
		return false
	}
	switch {
	case s[0] == '2' && (s[1] == 'A' || s[1] == 'B' || s[1] == 'a' || s[1] == 'b'):
		return true
	case isDigits(s[:2]):
		return s[:2] != "00" && s[:2] != "96" && s[:2] != "99"
	}
	return false
}

// isPostcode: five digits starting with a département number (01–95,
// 97/98 overseas).
func isPostcode(s string) bool {
	return len(s) == 5 && isDigits(s) && s[:2] != "00" && s[:2] != "96" && s[:2] != "99"
}

func isLatitude(s string) bool {
	f, ok := parseFloat(s)
	return ok && f >= -90 && f <= 90
}

func isLongitude(s string) bool {
	f, ok := parseFloat(s)
	return ok && f >= -180 && f <= 180
}

func isYear(s string) bool {
	if len(s) != 4 || !isDigits(s) {
		return false
	}
	y, _ := strconv.Atoi(s)
	return y >= 1000 && y <= 2200
}

// isInt accepts an optional sign and digits without a leading zero (a code
// like "01001" stays a string), up to 18 digits.
func isInt(s string) bool {
	_, ok := parseInt(s)
	return ok
}

func parseInt(s string) (int64, bool) {
	digits := s
	if len(digits) > 0 && (digits[0] == '-' || digits[0] == '+') {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if s[0] == '-' {
		n = -n
	}
	return n, true
}

func isFloat(s string) bool {
	_, ok := parseFloat(s)
	return ok
}

// parseFloat reads a decimal with a point or a comma ("3,14" is French),
// an optional sign and exponent; not "inf" or "nan".
func parseFloat(s string) (float64, bool) {
	if len(s) == 0 || len(s) > 64 {
		return 0, false
	}
	var buf [64]byte
	b := buf[:0]
	i := 0
	if s[0] == '-' || s[0] == '+' {
		b = append(b, s[0])
		i++
	}
	if len(s) > i+1 && s[i] == '0' && s[i+1] >= '0' && s[i+1] <= '9' {
		return 0, false // "01400" is a code, not a number
	}
	digits, sep := 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			b = append(b, c)
		case (c == '.' || c == ',') && !sep:
			sep = true
			b = append(b, '.')
		case (c == 'e' || c == 'E') && digits > 0:
			rest := s[i+1:]
			if len(rest) > 0 && (rest[0] == '-' || rest[0] == '+') {
				rest = rest[1:]
			}
			if !isDigits(rest) || len(rest) > 3 {
				return 0, false
			}
			b = append(b, s[i:]...)
			i = len(s)
		default:
			return 0, false
		}
	}
	if digits == 0 || (!sep && digits > 18 && len(b) == len(s)) {
		return 0, false // a 29-digit identifier is not a number
	}
	f, err := strconv.ParseFloat(string(b), 64)
	return f, err == nil
}

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

// isGeopoint reads "lat,lon", "lat, lon" or "[lat, lon]" with point decimals.
func isGeopoint(s string) bool {
	_, _, ok := parseGeopoint(s)
	return ok
}

func parseGeopoint(s string) (lat, lon float64, ok bool) {
	if len(s) < 3 || len(s) > 80 {
		return 0, 0, false
	}
	if s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	i := strings.IndexByte(s, ',')
	if i < 0 || strings.IndexByte(s[i+1:], ',') >= 0 {
		return 0, 0, false
	}
	a, b := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	if !strings.Contains(a, ".") || !strings.Contains(b, ".") {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(a, 64)
	lon, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}

func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at < 1 || len(s) > 254 || strings.IndexByte(s[at+1:], '@') >= 0 || strings.ContainsAny(s, " \t,;<>") {
		return false
	}
	dot := strings.LastIndexByte(s[at+1:], '.')
	return dot > 0 && dot < len(s[at+1:])-2
}

func isURL(s string) bool {
	if strings.ContainsAny(s, " \t\n") {
		return false
	}
	for _, p := range []string{"https://", "http://", "www."} {
		if len(s) > len(p)+2 && strings.EqualFold(s[:len(p)], p) {
			return strings.IndexByte(s[len(p):], '.') > 0 || p != "www."
		}
	}
	return false
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isUUID(s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	return isHex(s[:8]) && isHex(s[9:13]) && isHex(s[14:18]) && isHex(s[19:23]) && isHex(s[24:])
}

func isObjectID(s string) bool { return len(s) == 24 && isHex(s) && !isDigits(s) }

// isJSON accepts objects and arrays only: "12" is a number, not JSON.
func isJSON(s string) bool {
	return len(s) >= 2 && (s[0] == '{' || s[0] == '[') && json.Valid([]byte(s))
}
