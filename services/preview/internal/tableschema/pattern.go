package tableschema

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxPatternBytes bounds a schema pattern: RE2 compiles in time and memory
// linear in the pattern, but a schema is untrusted input.
const maxPatternBytes = 8 << 10

// compilePattern compiles a Table Schema pattern for Go's RE2 engine.
// Table Schema patterns are XML Schema style: they must match the whole
// value, so the result is anchored whatever the author wrote.
func compilePattern(p string) (*regexp.Regexp, error) {
	n, err := normalizePattern(p)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(`^(?:` + n + `)$`)
	if err != nil {
		return nil, fmt.Errorf("pattern %q cannot run on RE2: %v", p, err)
	}
	return re, nil
}

// normalizePattern rewrites what the SCDL schemas write in the dialects
// of Python and JavaScript into RE2 syntax:
//   - \uXXXX (and \UXXXXXXXX) becomes \x{XXXX};
//   - a backslash before a non-ASCII character (BAL's \‘ and \’) or
//     before a space is dropped: both mean the character itself;
//   - Python's \Z (end of text) becomes \z.
//
// What RE2 cannot do at all — lookarounds, backreferences, possessive or
// atomic groups — is refused with a reason; regexp.Compile would refuse it
// too, but less clearly.
func normalizePattern(p string) (string, error) {
	if len(p) > maxPatternBytes {
		return "", fmt.Errorf("pattern longer than %d bytes", maxPatternBytes)
	}
	if !utf8.ValidString(p) {
		return "", fmt.Errorf("pattern %q is not valid UTF-8", p)
	}
	for _, bad := range []struct{ seq, what string }{
		{"(?=", "lookahead"}, {"(?!", "negative lookahead"},
		{"(?<=", "lookbehind"}, {"(?<!", "negative lookbehind"}, {"(?>", "atomic group"},
	} {
		if strings.Contains(p, bad.seq) {
			return "", fmt.Errorf("pattern %q uses a %s %q, which RE2 (Go) does not support", p, bad.what, bad.seq)
		}
	}
	var b strings.Builder
	b.Grow(len(p) + 8)
	for i := 0; i < len(p); {
		if p[i] != '\\' {
			b.WriteByte(p[i])
			i++
			continue
		}
		if i+1 >= len(p) {
			return "", fmt.Errorf("pattern %q ends with a lone backslash", p)
		}
		next, size := utf8.DecodeRuneInString(p[i+1:])
		switch {
		case next == 'u' || next == 'U':
			digits := 4
			if next == 'U' {
				digits = 8
			}
			hex := p[i+2 : min(len(p), i+2+digits)]
			if len(hex) != digits || !isHex(hex) {
				return "", fmt.Errorf("pattern %q: \\%c needs %d hexadecimal digits", p, next, digits)
			}
			b.WriteString(`\x{` + hex + `}`)
			i += 2 + digits
		case next >= '1' && next <= '9':
			return "", fmt.Errorf("pattern %q uses a backreference \\%c, which RE2 (Go) does not support", p, next)
		case next == 'Z':
			b.WriteString(`\z`)
			i += 2
		case next >= utf8.RuneSelf || next == ' ':
			b.WriteString(regexp.QuoteMeta(string(next)))
			i += 1 + size
		default:
			b.WriteString(p[i : i+1+size])
			i += 1 + size
		}
	}
	return b.String(), nil
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
