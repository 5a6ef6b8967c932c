package tableschema

import (
	"fmt"
	"strings"
)

// anyLayouts are the forms tried for format "any".
var anyLayouts = map[string][]string{
	"date":      {"2006-01-02", "02/01/2006", "2/1/2006", "02-01-2006", "2006/01/02", "20060102"},
	"datetime":  {"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "02/01/2006 15:04:05", "02/01/2006 15:04"},
	"time":      {"15:04:05", "15:04", "15h04"},
	"yearmonth": {"2006-01", "01/2006"},
}

// dateLayout sets the Go layout for a date, datetime, time or yearmonth
// field: the ISO default, "any", or a strftime pattern (with the v1 "fmt:"
// prefix or, as DECP and IRVE write it, without).
func (c *caster) dateLayout() error {
	def := map[string]struct{ noun, layout, human string }{
		"date":      {"une date", "2006-01-02", "AAAA-MM-JJ"},
		"datetime":  {"une date et heure", "", "ISO 8601 AAAA-MM-JJThh:mm:ss"},
		"time":      {"une heure", "15:04:05", "hh:mm:ss"},
		"yearmonth": {"un mois", "2006-01", "AAAA-MM"},
	}[c.typ]
	switch {
	case c.format == "":
		c.layout, c.expect = def.layout, def.noun+" au format "+def.human
	case c.format == "any":
		c.anyDate, c.expect = true, def.noun
	case strings.Contains(c.format, "%"):
		layout, human, err := strftimeLayout(strings.TrimPrefix(c.format, "fmt:"))
		if err != nil {
			return err
		}
		c.layout, c.expect = layout, def.noun+" au format "+human
	default:
		return fmt.Errorf("unknown %s format %q", c.typ, c.format)
	}
	return nil
}

// strftimeDirectives maps Python's strftime directives to Go layout
// elements and to their French reading.
var strftimeDirectives = map[byte][2]string{
	'Y': {"2006", "AAAA"},
	'y': {"06", "AA"},
	'm': {"01", "MM"},
	'd': {"02", "JJ"},
	'H': {"15", "hh"},
	'I': {"03", "hh"},
	'M': {"04", "mm"},
	'S': {"05", "ss"},
	'p': {"PM", "AM/PM"},
	'b': {"Jan", "mois abrégé"},
	'B': {"January", "mois"},
	'a': {"Mon", "jour abrégé"},
	'A': {"Monday", "jour"},
	'z': {"-0700", "±hhmm"},
	'Z': {"MST", "fuseau"},
}

// strftimeLayout converts a strftime pattern to a Go layout. Literal text
// may only be punctuation, spaces or 'T': a letter or digit would be read
// by Go as part of a layout element.
func strftimeLayout(f string) (layout, human string, err error) {
	var b, h strings.Builder
	for i := 0; i < len(f); i++ {
		ch := f[i]
		if ch == '%' {
			if i+1 >= len(f) {
				return "", "", fmt.Errorf("date format %q ends with %%", f)
			}
			i++
			if f[i] == '%' {
				b.WriteByte('%')
				h.WriteByte('%')
				continue
			}
			d, ok := strftimeDirectives[f[i]]
			if !ok {
				return "", "", fmt.Errorf("date format %q: directive %%%c not supported", f, f[i])
			}
			b.WriteString(d[0])
			h.WriteString(d[1])
			continue
		}
		if ch != 'T' && (ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch >= 0x80) {
			return "", "", fmt.Errorf("date format %q: literal %q not supported", f, ch)
		}
		b.WriteByte(ch)
		h.WriteByte(ch)
	}
	if b.Len() == 0 {
		return "", "", fmt.Errorf("empty date format")
	}
	return b.String(), h.String(), nil
}
