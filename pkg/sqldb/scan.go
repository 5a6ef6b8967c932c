package sqldb

import "strings"

// token is the kind of lexical element sqlScanner returns. It knows just
// enough SQL to find placeholders and keywords: quotes and comments, not
// grammar.
type token int

const (
	tokSpace       token = iota // whitespace or a comment
	tokWord                     // keyword, identifier or number
	tokQuoted                   // 'string', E'string', "identifier" or $tag$string$tag$
	tokPlaceholder              // ?
	tokOther                    // any other single byte
)

// sqlScanner splits SQL text into tokens; src[start:pos] is the last token.
type sqlScanner struct {
	src string
	pos int
}

// next scans one token, returning false at the end of src.
func (s *sqlScanner) next() (token, bool) {
	if s.pos >= len(s.src) {
		return 0, false
	}
	c := s.src[s.pos]
	switch {
	case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		s.pos++
		return tokSpace, true
	case c == '-' && s.peek(1) == '-':
		if i := strings.IndexByte(s.src[s.pos:], '\n'); i >= 0 {
			s.pos += i + 1
		} else {
			s.pos = len(s.src)
		}
		return tokSpace, true
	case c == '/' && s.peek(1) == '*':
		s.skipBlockComment()
		return tokSpace, true
	case c == '\'':
		s.skipQuoted('\'', false)
		return tokQuoted, true
	case c == '"':
		s.skipQuoted('"', false)
		return tokQuoted, true
	case c == '$':
		if tag, ok := s.dollarTag(); ok {
			s.skipDollarQuoted(tag)
			return tokQuoted, true
		}
		s.pos++
		return tokOther, true
	case c == '?':
		s.pos++
		return tokPlaceholder, true
	case isWordStart(c) || isDigit(c):
		if (c == 'e' || c == 'E') && s.peek(1) == '\'' {
			s.pos++
			s.skipQuoted('\'', true)
			return tokQuoted, true
		}
		s.pos++
		for s.pos < len(s.src) && (isWordStart(s.src[s.pos]) || isDigit(s.src[s.pos]) || s.src[s.pos] == '$') {
			s.pos++
		}
		return tokWord, true
	default:
		s.pos++
		return tokOther, true
	}
}

func (s *sqlScanner) peek(off int) byte {
	if s.pos+off < len(s.src) {
		return s.src[s.pos+off]
	}
	return 0
}

// skipQuoted skips a quoted run starting at the opening quote q; a doubled
// quote is an escaped one, and so is a backslash-escaped one when
// backslashes is set (PostgreSQL E” strings). An unterminated run ends at
// the end of src.
func (s *sqlScanner) skipQuoted(q byte, backslashes bool) {
	s.pos++
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case backslashes && c == '\\':
			s.pos += 2
		case c == q && s.peek(1) == q:
			s.pos += 2
		case c == q:
			s.pos++
			return
		default:
			s.pos++
		}
	}
	s.pos = len(s.src)
}

// skipBlockComment skips a /* */ comment; they nest, as in PostgreSQL.
func (s *sqlScanner) skipBlockComment() {
	depth := 0
	for s.pos < len(s.src) {
		switch {
		case s.src[s.pos] == '/' && s.peek(1) == '*':
			depth++
			s.pos += 2
		case s.src[s.pos] == '*' && s.peek(1) == '/':
			depth--
			s.pos += 2
			if depth == 0 {
				return
			}
		default:
			s.pos++
		}
	}
}

// dollarTag reports whether a dollar-quoted string ($$ or $tag$) starts at
// pos, and returns its delimiter. "$1" is a positional parameter, not a tag.
func (s *sqlScanner) dollarTag() (string, bool) {
	i := s.pos + 1
	if i < len(s.src) && isWordStart(s.src[i]) {
		for i < len(s.src) && (isWordStart(s.src[i]) || isDigit(s.src[i])) {
			i++
		}
	}
	if i < len(s.src) && s.src[i] == '$' {
		return s.src[s.pos : i+1], true
	}
	return "", false
}

func (s *sqlScanner) skipDollarQuoted(tag string) {
	body := s.pos + len(tag)
	if i := strings.Index(s.src[body:], tag); i >= 0 {
		s.pos = body + i + len(tag)
		return
	}
	s.pos = len(s.src)
}

func isWordStart(c byte) bool {
	return c == '_' || c >= 0x80 || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
