package analysis

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
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
	s = dropThousands(s)
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

// dropThousands removes the spaces French numbers group their digits with
// ("1 234 567,89", with a space, a no-break space or a narrow no-break
// space) when they group the integer part by three; otherwise s is
// returned as it is (and is no number).
func dropThousands(s string) string {
	if !hasSpace(s) {
		return s
	}
	var b strings.Builder
	lead, group := 0, -1 // digits before the first separator, since the last one (-1: none yet)
	i := 0
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		b.WriteByte(s[0])
		i++
	}
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			if group >= 0 {
				group++
			} else {
				lead++
			}
		case r == ' ' || r == '\u00a0' || r == '\u202f':
			if group < 0 && (lead == 0 || lead > 3) || group >= 0 && group != 3 {
				return s
			}
			group = 0
		default: // the decimal part and exponent are left to the caller
			if group >= 0 && group != 3 {
				return s
			}
			return b.String() + s[i:]
		}
		i += w
	}
	if group >= 0 && group != 3 {
		return s
	}
	return b.String()
}

// hasSpace tells whether s may hold a space, a no-break space (C2 A0) or
// a narrow no-break space (E2 80 AF), without decoding it.
func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ' ' || c == 0xC2 || c == 0xE2 {
			return true
		}
	}
	return false
}

func isFloat(s string) bool {
	_, ok := parseFloat(s)
	return ok
}

// parseFloat reads a decimal with a point or a comma ("3,14" is French),
// an optional sign and exponent; not "inf" or "nan".
func parseFloat(s string) (float64, bool) {
	s = dropThousands(s)
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
