package tableschema

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// caster turns a cell's text into a typed value, following the Table
// Schema v1 type and format rules (what frictionless, under validata, does).
type caster struct {
	typ, format string
	// booleans
	trueValues, falseValues map[string]bool
	// numbers
	decimalChar, groupChar string
	bareNumber             bool
	// dates and times: a Go layout, or anyLayouts when format is "any"
	layout  string
	anyDate bool
	// what the field expects, in French, for error messages
	expect string
	warn   string
}

var defaultTrue = []string{"true", "True", "TRUE", "1"}
var defaultFalse = []string{"false", "False", "FALSE", "0"}

// newCaster builds the caster for a type and format; m is the field
// descriptor, read for trueValues, falseValues, decimalChar, groupChar and
// bareNumber.
func newCaster(typ, format string, m map[string]json.RawMessage) (*caster, error) {
	c := &caster{typ: typ, format: format}
	if format == "default" {
		c.format = ""
	}
	switch typ {
	case "string":
		switch c.format {
		case "":
			c.expect = "une chaîne de caractères"
		case "email":
			c.expect = "une adresse électronique"
		case "uri":
			c.expect = "une URI (avec son schéma, par exemple https://…)"
		case "uuid":
			c.expect = "un UUID"
		case "binary":
			c.expect = "du binaire encodé en base64"
		default:
			c.warn = fmt.Sprintf("format « %s » inconnu pour une chaîne, ignoré", format)
			c.format = ""
			c.expect = "une chaîne de caractères"
		}
	case "integer", "number":
		c.decimalChar, c.groupChar, c.bareNumber = ".", "", true
		for key, dst := range map[string]*string{"decimalChar": &c.decimalChar, "groupChar": &c.groupChar} {
			if raw, ok := m[key]; ok {
				if err := json.Unmarshal(raw, dst); err != nil {
					return nil, fmt.Errorf("%q must be a string", key)
				}
			}
		}
		if raw, ok := m["bareNumber"]; ok {
			if err := json.Unmarshal(raw, &c.bareNumber); err != nil {
				return nil, fmt.Errorf("\"bareNumber\" must be a boolean")
			}
		}
		c.expect = "un nombre entier"
		if typ == "number" {
			c.expect = "un nombre (séparateur décimal « " + c.decimalChar + " »)"
		}
	case "boolean":
		tv, fv := defaultTrue, defaultFalse
		if raw, ok := m["trueValues"]; ok {
			l, err := stringList(raw)
			if err != nil {
				return nil, fmt.Errorf("trueValues: %v", err)
			}
			tv = l
		}
		if raw, ok := m["falseValues"]; ok {
			l, err := stringList(raw)
			if err != nil {
				return nil, fmt.Errorf("falseValues: %v", err)
			}
			fv = l
		}
		c.trueValues, c.falseValues = set(tv), set(fv)
		c.expect = "un booléen (" + strings.Join(tv, ", ") + " ou " + strings.Join(fv, ", ") + ")"
	case "date", "datetime", "time", "yearmonth":
		if err := c.dateLayout(); err != nil {
			return nil, err
		}
	case "year":
		c.expect = "une année sur quatre chiffres"
	case "geopoint":
		switch c.format {
		case "":
			c.expect = "un point « longitude, latitude »"
		case "array":
			c.expect = "un point [longitude, latitude]"
		case "object":
			c.expect = `un point {"lon": …, "lat": …}`
		default:
			return nil, fmt.Errorf("unknown geopoint format %q", format)
		}
	case "array":
		c.expect = "un tableau JSON"
	case "object":
		c.expect = "un objet JSON"
	case "geojson":
		c.expect = "un objet GeoJSON"
	case "duration":
		c.expect = "une durée ISO 8601 (par exemple P1Y2M3DT4H)"
	case "any":
		c.expect = "une valeur"
	default:
		return nil, fmt.Errorf("unknown type %q", typ)
	}
	return c, nil
}

func set(l []string) map[string]bool {
	m := make(map[string]bool, len(l))
	for _, s := range l {
		m[s] = true
	}
	return m
}

func (c *caster) warning() string { return c.warn }

var (
	emailRe    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	uuidRe     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	durationRe = regexp.MustCompile(`^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$`)
)

// cast returns the typed value of a non-missing cell, or false when the
// cell is not of the field's type.
func (c *caster) cast(cell string) (any, bool) {
	switch c.typ {
	case "string":
		return c.castString(cell)
	case "integer":
		return c.castInteger(cell)
	case "number":
		return c.castNumber(cell)
	case "boolean":
		if c.trueValues[cell] {
			return true, true
		}
		if c.falseValues[cell] {
			return false, true
		}
		return nil, false
	case "date", "datetime", "time", "yearmonth":
		return c.castTime(cell)
	case "year":
		if len(cell) != 4 || !allDigits(cell) {
			return nil, false
		}
		y, _ := strconv.ParseInt(cell, 10, 64)
		return y, true
	case "geopoint":
		return c.castGeopoint(cell)
	case "array":
		var v []any
		if json.Unmarshal([]byte(cell), &v) != nil || v == nil {
			return nil, false
		}
		return v, true
	case "object", "geojson":
		var v map[string]any
		if json.Unmarshal([]byte(cell), &v) != nil || v == nil {
			return nil, false
		}
		if c.typ == "geojson" {
			if _, ok := v["type"].(string); !ok {
				return nil, false
			}
		}
		return v, true
	case "duration":
		if cell == "P" || strings.HasSuffix(cell, "T") || !durationRe.MatchString(cell) {
			return nil, false
		}
		return cell, true
	default: // any
		return cell, true
	}
}

func (c *caster) castString(cell string) (any, bool) {
	switch c.format {
	case "email":
		return cell, emailRe.MatchString(cell)
	case "uri":
		u, err := url.Parse(cell)
		return cell, err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "" || u.Path != "") && !strings.ContainsAny(cell, " \t\n")
	case "uuid":
		return cell, uuidRe.MatchString(cell)
	case "binary":
		_, err := base64.StdEncoding.DecodeString(cell)
		return cell, err == nil
	}
	return cell, true
}

// numberText applies bareNumber, groupChar and decimalChar, and trims the
// spaces Python's int() and Decimal() accept around a number.
func (c *caster) numberText(cell string) string {
	s := strings.TrimSpace(cell)
	if !c.bareNumber {
		s = strings.TrimFunc(s, func(r rune) bool {
			return !(r >= '0' && r <= '9') && r != '-' && r != '+' && string(r) != c.decimalChar
		})
	}
	if c.groupChar != "" {
		s = strings.ReplaceAll(s, c.groupChar, "")
	}
	if c.decimalChar != "." {
		s = strings.ReplaceAll(s, c.decimalChar, ".")
	}
	return s
}

func (c *caster) castInteger(cell string) (any, bool) {
	s := c.numberText(cell)
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 || !allDigits(digits) || digits == "" {
		return nil, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	// Beyond int64: still an integer; compared as a float.
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func (c *caster) castNumber(cell string) (any, bool) {
	s := c.numberText(cell)
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "nan", "inf", "infinity":
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	if !decimalText(s) {
		return nil, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return nil, false
	}
	return f, true
}

// decimalText reports whether s is a plain decimal as Python's Decimal
// reads it: sign, digits with at most one point, optional exponent. It
// keeps out what strconv.ParseFloat would also accept (hex, underscores).
func decimalText(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		exp = strings.TrimPrefix(strings.TrimPrefix(exp, "-"), "+")
		if exp == "" || !allDigits(exp) {
			return false
		}
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" {
		return false
	}
	return allDigits(intPart) && allDigits(frac)
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (c *caster) castGeopoint(cell string) (any, bool) {
	var lon, lat float64
	switch c.format {
	case "array":
		var v []float64
		if json.Unmarshal([]byte(cell), &v) != nil || len(v) != 2 {
			return nil, false
		}
		lon, lat = v[0], v[1]
	case "object":
		var v struct {
			Lon *float64 `json:"lon"`
			Lat *float64 `json:"lat"`
		}
		if json.Unmarshal([]byte(cell), &v) != nil || v.Lon == nil || v.Lat == nil {
			return nil, false
		}
		lon, lat = *v.Lon, *v.Lat
	default:
		a, b, ok := strings.Cut(cell, ",")
		if !ok {
			return nil, false
		}
		var err1, err2 error
		lon, err1 = strconv.ParseFloat(strings.TrimSpace(a), 64)
		lat, err2 = strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 != nil || err2 != nil || !decimalText(strings.TrimSpace(a)) || !decimalText(strings.TrimSpace(b)) {
			return nil, false
		}
	}
	if math.Abs(lon) > 180 || math.Abs(lat) > 90 {
		return nil, false
	}
	return [2]float64{lon, lat}, true
}

func (c *caster) castTime(cell string) (any, bool) {
	if c.anyDate {
		for _, l := range anyLayouts[c.typ] {
			if t, err := time.Parse(l, cell); err == nil {
				return t, true
			}
		}
		return nil, false
	}
	if c.typ == "datetime" && c.format == "" {
		// ISO 8601 as Python's fromisoformat reads it: with or without a
		// zone, with or without fractional seconds.
		for _, l := range []string{time.RFC3339, "2006-01-02T15:04:05"} {
			if t, err := time.Parse(l, cell); err == nil {
				return t, true
			}
		}
		return nil, false
	}
	t, err := time.Parse(c.layout, cell)
	if err != nil {
		return nil, false
	}
	return t, true
}
