package portal

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// locale is one language of the portal: its messages, looked up by key
// from the templates ({{t "nav.home"}}) and the handlers, and how it
// writes dates and numbers. The French catalog is complete; another
// locale may leave keys out, which then read in French.
type locale struct {
	// Tag is the page's lang attribute.
	Tag      string
	messages map[string]string
	// one says a count takes the singular form (French: 0 and 1; English: 1).
	one     func(n int64) bool
	months  [12]string
	dateFmt func(day int, month string, year int) string
	group   string
	decimal string
	// byteUnits name a byte, kilobyte… ("o", "ko"… in French).
	byteUnits [5]string
	fallback  *locale
}

// locales are the portal's languages by tag.
var locales = map[string]*locale{"fr": frLocale, "en": enLocale}

var frLocale = &locale{
	Tag: "fr", messages: frMessages,
	one:     func(n int64) bool { return n <= 1 },
	months:  [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	dateFmt: func(d int, m string, y int) string { return fmt.Sprintf("%d %s %d", d, m, y) },
	// A narrow no-break space groups thousands: "24 189".
	group: "\u202f", decimal: ",",
	byteUnits: [5]string{"o", "ko", "Mo", "Go", "To"},
}

var enLocale = &locale{
	Tag: "en", messages: enMessages, fallback: frLocale,
	one:     func(n int64) bool { return n == 1 },
	months:  [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	dateFmt: func(d int, m string, y int) string { return fmt.Sprintf("%s %d, %d", m, d, y) },
	group:   ",", decimal: ".",
	byteUnits: [5]string{"B", "kB", "MB", "GB", "TB"},
}

// localeFor is the locale a tag names ("fr", "en-GB"…); "" is French.
func localeFor(tag string) (*locale, error) {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	if base == "" {
		return frLocale, nil
	}
	if l := locales[base]; l != nil {
		return l, nil
	}
	return nil, fmt.Errorf("portal: locale %q: want fr or en", tag)
}

// t is the message of key with {0}, {1}… replaced by args; an unknown
// key reads as itself, which the catalog test catches before release.
func (l *locale) t(key string, args ...any) string {
	msg, ok := l.messages[key]
	for fb := l.fallback; !ok && fb != nil; fb = fb.fallback {
		msg, ok = fb.messages[key]
	}
	if !ok {
		return key
	}
	for i, a := range args {
		msg = strings.ReplaceAll(msg, "{"+strconv.Itoa(i)+"}", fmt.Sprint(a))
	}
	return msg
}

// label is the message of key, or fallback when no catalog has it (a
// reuse type the catalog added since this release).
func (l *locale) label(key, fallback string) string {
	if msg := l.t(key); msg != key {
		return msg
	}
	return fallback
}

// html is t for the templates: the message escaped, apostrophes left as
// they are ("Fil d'Ariane" rather than "Fil d&#39;Ariane", safe in text;
// in an attribute html/template escapes them again).
func (l *locale) html(key string, args ...any) template.HTML {
	return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(l.t(key, args...)), "&#39;", "'"))
}

// tn is a count with its words: key+".one" or key+".other" as the
// language wants for n, with {n} the formatted count.
func (l *locale) tn(key string, count any) string {
	n := toInt64(count)
	form := key + ".other"
	if l.one(n) {
		form = key + ".one"
	}
	return strings.ReplaceAll(l.t(form), "{n}", l.number(n))
}

func toInt64(v any) int64 {
	switch c := v.(type) {
	case int:
		return int64(c)
	case int32:
		return int64(c)
	case int64:
		return c
	}
	return 0
}

// date writes a day as the language does: "27 novembre 2026".
func (l *locale) date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(paris)
	return l.dateFmt(t.Day(), l.months[t.Month()-1], t.Year())
}

// month names a "2006-01" month: "novembre 2026".
func (l *locale) month(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return l.months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// number groups an integer's thousands: "24 189", "24,189".
func (l *locale) number(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(l.group)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// decimal writes f with the given digits after the language's decimal
// mark: "1 234,5".
func (l *locale) decimalNumber(f float64, digits int) string {
	s := strconv.FormatFloat(f, 'f', digits, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := l.number(n)
	if n == 0 && strings.HasPrefix(whole, "-") {
		out = "-" + out
	}
	if frac != "" {
		out += l.decimal + frac
	}
	return out
}

// size writes a byte count in the language's units: "1,2 Mo", "1.2 MB".
func (l *locale) size(n int64) string {
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(l.byteUnits)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return l.number(n) + " " + l.byteUnits[0]
	}
	return l.decimalNumber(f, 1) + " " + l.byteUnits[i]
}

// funcs are the template functions in this language.
func (l *locale) funcs() map[string]any {
	return map[string]any{
		"t":       l.html,
		"tn":      l.tn,
		"lang":    func() string { return l.Tag },
		"number":  l.number,
		"decimal": l.decimalNumber,
		"size":    l.size,
		"date": func(ts *timestamppb.Timestamp) string {
			if ts == nil {
				return "—"
			}
			return l.date(ts.AsTime())
		},
	}
}
