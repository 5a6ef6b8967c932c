package domain

import (
	"strconv"
	"strings"

	"github.com/mozillazg/go-unidecode"
)

// MaxSlugLength is udata's SlugField max_length for datasets, organizations
// and users.
const MaxSlugLength = 255

// Slugify turns s into a slug as udata does (awesome-slugify with
// to_lower=True): transliterate to ASCII (unidecode: "É"→"E", "œ"→"oe",
// "’"→"'"), lowercase, drop apostrophes, split on every run of
// non-alphanumeric characters and join the words with "-". With maxLen > 0
// words are added while they fit (a longer word is skipped, a later shorter
// one may still fit) and the result is cut to maxLen, as join_words does.
func Slugify(s string, maxLen int) string {
	ascii := strings.ToLower(unidecode.Unidecode(s))
	ascii = strings.ReplaceAll(ascii, "'", "")
	words := strings.FieldsFunc(ascii, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	})
	if len(words) == 0 {
		return ""
	}
	if maxLen <= 0 {
		return strings.Join(words, "-")
	}
	text := words[0]
	for _, w := range words[1:] {
		if len(text)+1+len(w) <= maxLen {
			text += "-" + w
		}
	}
	if len(text) > maxLen {
		text = text[:maxLen]
	}
	return text
}

// SlugCandidate returns the n-th slug to try for base: base itself for n = 0,
// then "base-1", "base-2"… with base trimmed so that the result fits in
// maxLen, as udata's populate_slug does. A UUID-looking result gets "-uuid"
// appended (so that it cannot be mistaken for a resource id).
func SlugCandidate(base string, n, maxLen int) string {
	slug := base
	if n > 0 {
		suffix := "-" + strconv.Itoa(n)
		if over := len(base) + len(suffix) - maxLen; over > 0 && over < len(base) {
			base = base[:len(base)-over]
		}
		slug = base + suffix
	}
	if IsUUID(slug) {
		slug += "-uuid"
	}
	return slug
}

// FoldText lowercases s and transliterates it to ASCII, for accent- and
// case-insensitive matching ("Élections" → "elections").
func FoldText(s string) string {
	return strings.ToLower(unidecode.Unidecode(s))
}

// SearchWords splits a query into folded alphanumeric words, each of which
// must match.
func SearchWords(q string) []string {
	return strings.FieldsFunc(FoldText(q), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	})
}

// IsURLSafeSlug tells whether s can serve as a slug as it is: lowercase
// ASCII letters, digits and '-', not starting or ending with '-', at most
// MaxSlugLength. Slugs made by older slug rules (udata's "--" runs, say)
// pass: an import keeps them so that their URLs keep working.
func IsURLSafeSlug(s string) bool {
	if s == "" || len(s) > MaxSlugLength || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
