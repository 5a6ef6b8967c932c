package searchindex

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds two checkers written from Meilisearch's documented
// grammars, for the tests and fuzzers of the query translation.
//
// Filters (the BNF atop crates/filter-parser/src/lib.rs):
//
//	filter     = expression EOF
//	expression = or
//	or         = and ("OR" WS+ and)*
//	and        = not ("AND" WS+ not)*
//	not        = ("NOT" WS+ not) | primary
//	primary    = (WS* "(" WS* expression WS* ")" WS*) | in | condition | to
//	in         = value "IN" WS* "[" value_list "]"
//	condition  = value ("=" | "!=" | ">" | ">=" | "<" | "<=") value
//	to         = value value "TO" WS+ value
//	value      = WS* ( word | singleQuoted | doubleQuoted) WS+
//	value_list = (value ("," value)* ","?)?
//	word       = (alphanumeric | _ | - | .)+, not a keyword
//
// A quoted value ends at the first unescaped quote; the parser removes the
// backslash of \<quote>, then unescapes backslash sequences (\\ → \).
//
// Query text (crates/milli/src/search/new/query_term/parse_query.rs): a
// separator holding '"' opens or closes a phrase; a separator that is
// exactly "-", after whitespace or at the start and followed by a word,
// negates that word.

// filterNode is a parsed filter: an operator with children, or a condition
// on an attribute.
type filterNode struct {
	op       string // "AND", "OR", "NOT", "IN", "=", ">=", "<", "TO", …
	children []filterNode
	attr     string
	values   []string
}

func (n filterNode) String() string {
	switch n.op {
	case "AND", "OR":
		parts := make([]string, len(n.children))
		for i, c := range n.children {
			parts[i] = c.String()
		}
		return n.op + "(" + strings.Join(parts, ", ") + ")"
	case "NOT":
		return "NOT(" + n.children[0].String() + ")"
	default:
		return fmt.Sprintf("%s %s %q", n.attr, n.op, n.values)
	}
}

var filterKeywords = []string{"AND", "OR", "IN", "NOT", "TO", "EXISTS", "IS", "NULL", "EMPTY", "CONTAINS", "STARTS", "WITH", "_geoRadius", "_geoBoundingBox"}

type filterParser struct {
	s   string
	pos int
}

// parseMeiliFilter parses s under the grammar above, or says where it fails.
func parseMeiliFilter(s string) (filterNode, error) {
	p := &filterParser{s: s}
	n, err := p.or()
	if err != nil {
		return filterNode{}, err
	}
	p.ws()
	if p.pos != len(p.s) {
		return filterNode{}, p.fail("end of filter")
	}
	return n, nil
}

func (p *filterParser) fail(want string) error {
	return fmt.Errorf("at %d of %q: want %s", p.pos, p.s, want)
}

func (p *filterParser) ws() {
	for p.pos < len(p.s) {
		r, w := utf8.DecodeRuneInString(p.s[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += w
	}
}

// keyword consumes the word kw when it comes next as a whole word.
func (p *filterParser) keyword(kw string) bool {
	save := p.pos
	p.ws()
	if w := p.peekWord(); w == kw {
		p.pos += len(w)
		return true
	}
	p.pos = save
	return false
}

func (p *filterParser) peekWord() string {
	end := p.pos
	for end < len(p.s) {
		r, w := utf8.DecodeRuneInString(p.s[end:])
		if !isFilterWordRune(r) {
			break
		}
		end += w
	}
	return p.s[p.pos:end]
}

func isFilterWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.'
}

func (p *filterParser) or() (filterNode, error) {
	first, err := p.and()
	if err != nil {
		return first, err
	}
	n := filterNode{op: "OR", children: []filterNode{first}}
	for p.keyword("OR") {
		c, err := p.and()
		if err != nil {
			return c, err
		}
		n.children = append(n.children, c)
	}
	if len(n.children) == 1 {
		return first, nil
	}
	return n, nil
}

func (p *filterParser) and() (filterNode, error) {
	first, err := p.not()
	if err != nil {
		return first, err
	}
	n := filterNode{op: "AND", children: []filterNode{first}}
	for p.keyword("AND") {
		c, err := p.not()
		if err != nil {
			return c, err
		}
		n.children = append(n.children, c)
	}
	if len(n.children) == 1 {
		return first, nil
	}
	return n, nil
}

func (p *filterParser) not() (filterNode, error) {
	if p.keyword("NOT") {
		c, err := p.not()
		return filterNode{op: "NOT", children: []filterNode{c}}, err
	}
	return p.primary()
}

func (p *filterParser) primary() (filterNode, error) {
	p.ws()
	if strings.HasPrefix(p.s[p.pos:], "(") {
		p.pos++
		n, err := p.or()
		if err != nil {
			return n, err
		}
		p.ws()
		if !strings.HasPrefix(p.s[p.pos:], ")") {
			return n, p.fail(")")
		}
		p.pos++
		return n, nil
	}
	attr, err := p.value()
	if err != nil {
		return filterNode{}, err
	}
	if p.keyword("IN") {
		p.ws()
		if !strings.HasPrefix(p.s[p.pos:], "[") {
			return filterNode{}, p.fail("[")
		}
		p.pos++
		n := filterNode{op: "IN", attr: attr}
		for {
			p.ws()
			if strings.HasPrefix(p.s[p.pos:], "]") {
				p.pos++
				return n, nil
			}
			if len(n.values) > 0 {
				if !strings.HasPrefix(p.s[p.pos:], ",") {
					return n, p.fail(", or ]")
				}
				p.pos++
				p.ws()
				if strings.HasPrefix(p.s[p.pos:], "]") {
					continue
				}
			}
			v, err := p.value()
			if err != nil {
				return n, err
			}
			n.values = append(n.values, v)
		}
	}
	p.ws()
	for _, op := range []string{">=", "<=", "!=", "=", ">", "<"} {
		if strings.HasPrefix(p.s[p.pos:], op) {
			p.pos += len(op)
			v, err := p.value()
			return filterNode{op: op, attr: attr, values: []string{v}}, err
		}
	}
	from, err := p.value()
	if err != nil {
		return filterNode{}, p.fail("an operator, IN or a range")
	}
	if !p.keyword("TO") {
		return filterNode{}, p.fail("TO")
	}
	to, err := p.value()
	return filterNode{op: "TO", attr: attr, values: []string{from, to}}, err
}

// value reads a word or a quoted value and returns it unescaped.
func (p *filterParser) value() (string, error) {
	p.ws()
	if p.pos >= len(p.s) {
		return "", p.fail("a value")
	}
	q := p.s[p.pos]
	if q != '"' && q != '\'' {
		w := p.peekWord()
		if w == "" {
			return "", p.fail("a value")
		}
		if slices.Contains(filterKeywords, w) {
			return "", p.fail("a value, not the keyword " + w)
		}
		p.pos += len(w)
		return w, nil
	}
	start := p.pos + 1
	escapedQuote := false
	for i := start; i < len(p.s); i++ {
		switch p.s[i] {
		case '\\':
			if i+1 >= len(p.s) {
				return "", p.fail("a character after \\")
			}
			escapedQuote = escapedQuote || p.s[i+1] == q
			i++
		case q:
			raw := p.s[start:i]
			p.pos = i + 1
			if escapedQuote {
				raw = strings.ReplaceAll(raw, `\`+string(q), string(q))
			}
			return unescapeBackslashes(raw)
		}
	}
	return "", p.fail("closing " + string(q))
}

// unescapeBackslashes is the second unescaping of a quoted value; our
// builder only ever writes \\ and \", so any other escape is an error here.
func unescapeBackslashes(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("lone backslash at the end of %q", s)
		}
		switch s[i+1] {
		case '\\', '"', '\'':
			b.WriteByte(s[i+1])
			i++
		default:
			return "", fmt.Errorf("escape \\%c in %q", s[i+1], s)
		}
	}
	return b.String(), nil
}

// querySyntax reports whether text holds Meilisearch query syntax: a
// phrase (a '"' in a separator) or a negation ("-" right after whitespace or
// the start, then a word). It splits text as charabia does for Latin
// script: words are runs of letters, digits and marks, the rest separators.
func querySyntax(text string) (phrase, negation bool) {
	type token struct {
		word bool
		text string
	}
	var tokens []token
	for _, r := range text {
		w := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
		if n := len(tokens); n > 0 && tokens[n-1].word == w && w {
			tokens[n-1].text += string(r)
			continue
		}
		tokens = append(tokens, token{word: w, text: string(r)})
	}
	afterSpace := true
	for i, t := range tokens {
		if !t.word {
			if strings.ContainsRune(t.text, '"') {
				phrase = true
			}
			if t.text == "-" && afterSpace && i+1 < len(tokens) && tokens[i+1].word {
				negation = true
			}
		}
		r, _ := utf8.DecodeLastRuneInString(t.text)
		afterSpace = unicode.IsSpace(r)
	}
	return phrase, negation
}
