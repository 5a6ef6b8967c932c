package domain

import (
	"strings"

	"github.com/mozillazg/go-unidecode"
)

// slugify is awesome-slugify's Slugify(to_lower=True, separator='-') with
// the given safe characters, as udata configures it: transliterate to ASCII
// (unidecode: "é"→"e", "œ"→"oe"), lowercase, drop apostrophes, split on
// every run of characters that are neither ASCII letters, digits nor safe,
// and join the words with '-'.
func slugify(s, safe string) string {
	ascii := strings.ToLower(unidecode.Unidecode(s))
	ascii = strings.ReplaceAll(ascii, "'", "")
	words := strings.FieldsFunc(ascii, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || strings.ContainsRune(safe, r))
	})
	return strings.Join(words, "-")
}

// MaxDatasetSlugLen bounds the dataset slug in a key (udata's SlugField
// max_length, and a key segment's limit).
const MaxDatasetSlugLen = 255

// DatasetSlug returns the key segment of a dataset: its slug, slugified
// again so that any input is safe, cut to MaxDatasetSlugLen bytes.
func DatasetSlug(s string) (string, error) {
	slug := strings.Trim(slugify(s, ""), "-")
	if len(slug) > MaxDatasetSlugLen {
		slug = strings.TrimRight(slug[:MaxDatasetSlugLen], "-")
	}
	if slug == "" {
		return "", Invalid("dataset_slug %q has no letter or digit", truncate(s))
	}
	return slug, nil
}

// truncate shortens what goes into an error message.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
