package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// args reads query arguments as flask-restx's reqparse does, answering
// the first bad one with its 400 body. Once failed is set, later reads
// return zero values and nothing more is written.
type args struct {
	w      http.ResponseWriter
	values url.Values
	failed bool
}

func newArgs(w http.ResponseWriter, r *http.Request) *args {
	values := url.Values{}
	for _, kv := range parseQuery(r.URL.RawQuery) {
		values[kv[0]] = append(values[kv[0]], kv[1])
	}
	return &args{w: w, values: values}
}

// parseQuery splits a query string as Werkzeug does: on '&' only (a ';'
// is data), '+' as space, keys without '=' having an empty value, and
// undecodable escapes kept as they are.
func parseQuery(raw string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, [2]string{queryUnescape(k), queryUnescape(v)})
	}
	return out
}

func queryUnescape(s string) string {
	u, err := url.QueryUnescape(s)
	if err != nil {
		u = strings.ReplaceAll(s, "+", " ")
	}
	return strings.ToValidUTF8(u, "\uFFFD")
}

func (a *args) fail(name, msg string) {
	if !a.failed {
		a.failed = true
		writeArgError(a.w, name, msg)
	}
}

func (a *args) str(name string) string {
	return a.values.Get(name)
}

func (a *args) list(name string) []string {
	return a.values[name]
}

// positive reads a positive integer (page, page_size) with default def.
// help is the argument's help text, which reqparse puts before the error.
func (a *args) positive(name, help string, def int64) int64 {
	vs, ok := a.values[name]
	if !ok || a.failed {
		return def
	}
	n, err := parsePyInt(vs[0])
	if err != nil {
		a.fail(name, help+" invalid literal for int() with base 10: "+pyRepr(vs[0]))
		return def
	}
	if n < 1 {
		a.fail(name, help+" Invalid argument: "+strconv.FormatInt(n, 10)+". argument must be a positive integer")
		return def
	}
	return n
}

// boolean reads flask_restx.inputs.boolean: "true"/"1" or "false"/"0"
// (any case), empty is false; nil when absent.
func (a *args) boolean(name, help string) *bool {
	vs, ok := a.values[name]
	if !ok || a.failed {
		return nil
	}
	v := strings.ToLower(vs[0])
	var b bool
	switch v {
	case "true", "1":
		b = true
	case "false", "0", "":
		b = false
	default:
		msg := "Invalid literal for boolean(): " + v
		if help != "" {
			msg = help + " " + msg
		}
		a.fail(name, msg)
		return nil
	}
	return &b
}

// choice reads an argument restricted to choices; "" when absent.
func (a *args) choice(name, help string, choices []string) string {
	v, ok := a.values[name]
	if !ok || a.failed {
		return ""
	}
	for _, c := range choices {
		if v[0] == c {
			return c
		}
	}
	msg := "The value '" + v[0] + "' is not a valid choice for '" + name + "'."
	if help != "" {
		msg = help + " " + msg
	}
	a.fail(name, msg)
	return ""
}

// sortChoices returns fields and their "-" forms, as ModelApiParser does.
func sortChoices(fields ...string) []string {
	out := make([]string, 0, 2*len(fields))
	out = append(out, fields...)
	for _, f := range fields {
		out = append(out, "-"+f)
	}
	return out
}

// parsePyInt parses an integer as Python's int() does for the common
// cases: surrounding spaces, a sign, underscores between digits.
// Values beyond int64 saturate.
func parsePyInt(s string) (int64, error) {
	t := strings.TrimFunc(s, unicode.IsSpace)
	if strings.Contains(t, "__") || strings.HasPrefix(strings.TrimLeft(t, "+-"), "_") || strings.HasSuffix(t, "_") {
		return 0, strconv.ErrSyntax
	}
	t = strings.ReplaceAll(t, "_", "")
	n, err := strconv.ParseInt(t, 10, 64)
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return n, nil
	}
	return n, err
}

// pyRepr quotes s as Python's repr() of a str does.
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(quote):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatInt(int64(r)|0x100, 16)[1:])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}
