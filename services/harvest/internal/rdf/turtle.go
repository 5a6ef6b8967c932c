package rdf

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseTurtle reads Turtle, and so N-Triples, a subset of it: prefixes and
// base, predicate and object lists, blank node property lists,
// collections (their members linked directly), literals in every quoting
// with language tags and datatypes, numbers and booleans.
func ParseTurtle(src []byte) (*Graph, error) {
	p := &ttl{s: string(src), g: NewGraph(), prefixes: map[string]string{}}
	if err := p.document(); err != nil {
		line := 1 + strings.Count(p.s[:min(p.i, len(p.s))], "\n")
		return nil, fmt.Errorf("turtle: line %d: %w", line, err)
	}
	return p.g, nil
}

type ttl struct {
	s        string
	i        int
	g        *Graph
	prefixes map[string]string
	base     string
	depth    int
}

func (p *ttl) document() error {
	for {
		p.skip()
		if p.i >= len(p.s) {
			return nil
		}
		if err := p.statement(); err != nil {
			return err
		}
	}
}

// skip passes white space and comments.
func (p *ttl) skip() {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.i++
		case c == '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *ttl) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *ttl) expect(c byte) error {
	p.skip()
	if p.peek() != c {
		return fmt.Errorf("expected %q", c)
	}
	p.i++
	return nil
}

func (p *ttl) keyword(kw string) bool {
	if len(p.s)-p.i >= len(kw) && strings.EqualFold(p.s[p.i:p.i+len(kw)], kw) {
		end := p.i + len(kw)
		if end == len(p.s) || strings.IndexByte(" \t\r\n<", p.s[end]) >= 0 {
			p.i = end
			return true
		}
	}
	return false
}

func (p *ttl) statement() error {
	sparql := p.peek() != '@' // SPARQL's PREFIX and BASE end without '.'
	switch {
	case p.keyword("@prefix"), p.keyword("PREFIX"):
		p.skip()
		colon := strings.IndexByte(p.s[p.i:], ':')
		if colon < 0 {
			return fmt.Errorf("prefix without ':'")
		}
		name := strings.TrimSpace(p.s[p.i : p.i+colon])
		p.i += colon + 1
		p.skip()
		ref, err := p.iriRef()
		if err != nil {
			return err
		}
		p.prefixes[name] = ref
		if !sparql {
			return p.expect('.')
		}
		return nil
	case p.keyword("@base"), p.keyword("BASE"):
		p.skip()
		ref, err := p.iriRef()
		if err != nil {
			return err
		}
		p.base = ref
		if !sparql {
			return p.expect('.')
		}
		return nil
	}
	s, err := p.subject()
	if err != nil {
		return err
	}
	p.skip()
	if p.peek() == '.' && s.Kind == Blank { // [ ... ] . alone
		p.i++
		return nil
	}
	if err := p.predicateObjects(s); err != nil {
		return err
	}
	return p.expect('.')
}

func (p *ttl) subject() (Term, error) {
	p.skip()
	switch p.peek() {
	case '[':
		return p.blankList()
	case '(':
		return p.collection()
	}
	return p.resource()
}

// predicateObjects reads "p o, o; p o" for s.
func (p *ttl) predicateObjects(s Term) error {
	for {
		p.skip()
		var pred Term
		if p.peek() == 'a' && p.i+1 < len(p.s) && strings.IndexByte(" \t\r\n<[\"'_(", p.s[p.i+1]) >= 0 {
			p.i++
			pred = iri(Type)
		} else {
			var err error
			if pred, err = p.resource(); err != nil {
				return err
			}
		}
		for {
			o, err := p.object()
			if err != nil {
				return err
			}
			p.g.Add(s, pred, o)
			p.skip()
			if p.peek() != ',' {
				break
			}
			p.i++
		}
		p.skip()
		if p.peek() != ';' {
			return nil
		}
		for p.peek() == ';' { // repeated ';' are allowed
			p.i++
			p.skip()
		}
		if c := p.peek(); c == '.' || c == ']' || c == 0 {
			return nil
		}
	}
}

func (p *ttl) nest() error {
	if p.depth++; p.depth > maxNest {
		return ErrTooDeep
	}
	return nil
}

func (p *ttl) blankList() (Term, error) {
	if err := p.nest(); err != nil {
		return Term{}, err
	}
	defer func() { p.depth-- }()
	p.i++ // [
	b := p.g.fresh()
	p.skip()
	if p.peek() == ']' {
		p.i++
		return b, nil
	}
	if err := p.predicateObjects(b); err != nil {
		return Term{}, err
	}
	return b, p.expect(']')
}

// collection reads ( o o … ) as a blank node linked to each member by
// rdf:li.
func (p *ttl) collection() (Term, error) {
	if err := p.nest(); err != nil {
		return Term{}, err
	}
	defer func() { p.depth-- }()
	p.i++ // (
	b := p.g.fresh()
	for {
		p.skip()
		if p.peek() == ')' {
			p.i++
			return b, nil
		}
		if p.i >= len(p.s) {
			return Term{}, fmt.Errorf("unterminated collection")
		}
		o, err := p.object()
		if err != nil {
			return Term{}, err
		}
		p.g.Add(b, iri(RDFNS+"li"), o)
	}
}

func (p *ttl) object() (Term, error) {
	p.skip()
	switch c := p.peek(); {
	case c == '[':
		return p.blankList()
	case c == '(':
		return p.collection()
	case c == '"' || c == '\'':
		return p.literal()
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	case p.keyword("true"):
		return Term{Kind: Literal, Value: "true", Datatype: XSDNS + "boolean"}, nil
	case p.keyword("false"):
		return Term{Kind: Literal, Value: "false", Datatype: XSDNS + "boolean"}, nil
	}
	return p.resource()
}

// resource reads an IRI, a prefixed name or a blank node label.
func (p *ttl) resource() (Term, error) {
	p.skip()
	if p.peek() == '<' {
		ref, err := p.iriRef()
		return iri(ref), err
	}
	if strings.HasPrefix(p.s[p.i:], "_:") {
		p.i += 2
		return blank("t" + p.name()), nil
	}
	start := p.i
	prefix := p.name()
	if p.peek() != ':' {
		p.i = start
		if p.i >= len(p.s) {
			return Term{}, fmt.Errorf("unexpected end")
		}
		return Term{}, fmt.Errorf("unexpected %q", p.s[p.i:min(p.i+12, len(p.s))])
	}
	p.i++
	ns, ok := p.prefixes[prefix]
	if !ok {
		return Term{}, fmt.Errorf("undeclared prefix %q", prefix)
	}
	return iri(ns + p.local()), nil
}

// name reads a prefix or blank node label.
func (p *ttl) name() string {
	start := p.i
	for p.i < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		if !(r == '_' || r == '-' || r == '.' || r >= 0x80 || (r >= '0' && r <= '9') || (r|0x20 >= 'a' && r|0x20 <= 'z')) {
			break
		}
		p.i += n
	}
	for p.i > start && p.s[p.i-1] == '.' { // a final '.' ends the statement
		p.i--
	}
	return p.s[start:p.i]
}

// local reads a prefixed name's local part, with its escapes.
func (p *ttl) local() string {
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '\\' && p.i+1 < len(p.s):
			b.WriteByte(p.s[p.i+1])
			p.i += 2
			continue
		case c == '%' || c == ':' || c == '_' || c == '-' || c == '.' || c >= 0x80 || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z'):
			b.WriteByte(c)
			p.i++
			continue
		}
		break
	}
	out := b.String()
	for strings.HasSuffix(out, ".") {
		out = out[:len(out)-1]
		p.i--
	}
	return out
}

func (p *ttl) iriRef() (string, error) {
	if p.peek() != '<' {
		return "", fmt.Errorf("expected an IRI")
	}
	end := strings.IndexByte(p.s[p.i:], '>')
	if end < 0 {
		return "", fmt.Errorf("unterminated IRI")
	}
	raw := p.s[p.i+1 : p.i+end]
	p.i += end + 1
	if strings.ContainsAny(raw, " \n<\"") {
		return "", fmt.Errorf("bad character in IRI %q", raw)
	}
	ref, err := unescape(raw)
	if err != nil {
		return "", err
	}
	if p.base != "" && !strings.Contains(ref, ":") {
		ref = p.base + ref
	}
	return ref, nil
}

func (p *ttl) literal() (Term, error) {
	q := p.s[p.i]
	long := strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3))
	delim := string(q)
	if long {
		delim = strings.Repeat(string(q), 3)
	}
	p.i += len(delim)
	start := p.i
	for {
		if p.i >= len(p.s) {
			return Term{}, fmt.Errorf("unterminated literal")
		}
		c := p.s[p.i]
		if c == '\\' {
			p.i += 2
			continue
		}
		if !long && (c == '\n' || c == '\r') {
			return Term{}, fmt.Errorf("line break in a short literal")
		}
		if strings.HasPrefix(p.s[p.i:], delim) {
			break
		}
		p.i++
	}
	value, err := unescape(p.s[start:p.i])
	if err != nil {
		return Term{}, err
	}
	p.i += len(delim)
	t := Term{Kind: Literal, Value: value}
	switch {
	case p.peek() == '@':
		p.i++
		start := p.i
		for p.i < len(p.s) && (p.s[p.i] == '-' || (p.s[p.i]|0x20 >= 'a' && p.s[p.i]|0x20 <= 'z') || (p.s[p.i] >= '0' && p.s[p.i] <= '9')) {
			p.i++
		}
		t.Lang = p.s[start:p.i]
	case strings.HasPrefix(p.s[p.i:], "^^"):
		p.i += 2
		dt, err := p.resource()
		if err != nil {
			return Term{}, err
		}
		t.Datatype = dt.Value
	}
	return t, nil
}

func (p *ttl) number() (Term, error) {
	start := p.i
	for p.i < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[p.i]) >= 0 {
		p.i++
	}
	for p.i > start && p.s[p.i-1] == '.' {
		p.i--
	}
	lex := p.s[start:p.i]
	dt := XSDNS + "integer"
	switch {
	case strings.ContainsAny(lex, "eE"):
		dt = XSDNS + "double"
	case strings.Contains(lex, "."):
		dt = XSDNS + "decimal"
	}
	if _, err := strconv.ParseFloat(lex, 64); err != nil {
		return Term{}, fmt.Errorf("bad number %q", lex)
	}
	return Term{Kind: Literal, Value: lex, Datatype: dt}, nil
}

// unescape resolves Turtle's string and \u escapes.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u', 'U':
			n := 4
			if c == 'U' {
				n = 8
			}
			if i+1+n > len(s) {
				return "", fmt.Errorf("short \\%c escape", c)
			}
			v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", fmt.Errorf("bad \\%c escape", c)
			}
			b.WriteRune(rune(v))
			i += n
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}
