package domain

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Field limits (udata's dataset and organization models).
const (
	MaxTitleLength            = 350
	MaxDescriptionLength      = 100_000
	MaxDescriptionShortLength = 200
	MaxAcronymLength          = 128
	MinTagLength              = 3
	MaxTagLength              = 96
)

// udata's (WTForms') messages.
const (
	MsgRequired       = "This field is required."
	MsgNotAChoice     = "Not a valid choice."
	MsgInvalidURL     = "Invalid URL"
	MsgUnknownLicense = "Unknown license"
)

// MsgTooLong is WTForms' Length message.
func MsgTooLong(max int) string {
	return fmt.Sprintf("Field cannot be longer than %d characters.", max)
}

// CheckText validates a text field: required when required is set, at most
// max characters (counted as Python does, in code points) when max > 0.
func CheckText(v *Violations, field, s string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, MsgRequired)
	case max > 0 && utf8.RuneCountInString(s) > max:
		v.Add(field, MsgTooLong(max))
	}
}

// NormalizeTags slugifies tags (lowercase ASCII), drops duplicates and
// checks their length; it returns the normalized list.
func NormalizeTags(v *Violations, field string, tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		s := Slugify(t, 0)
		if n := len(s); n < MinTagLength || n > MaxTagLength {
			v.Add(field, fmt.Sprintf("Tag %q must be between %d and %d characters long.", t, MinTagLength, MaxTagLength))
			continue
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// NormalizeLicense returns the licence id for an id (or a title, URL, or
// alternate title as GuessLicense accepts); "" is notspecified.
func NormalizeLicense(v *Violations, field, s string) string {
	if s == "" {
		return DefaultLicenseID
	}
	if l, ok := LicenseByID(s); ok {
		return l.ID
	}
	if l, ok := GuessLicense(s); ok {
		return l.ID
	}
	v.Add(field, MsgUnknownLicense)
	return ""
}

// NormalizeFrequencyField validates a frequency id (legacy ids accepted).
func NormalizeFrequencyField(v *Violations, field, s string) string {
	id, ok := NormalizeFrequency(s)
	if !ok {
		v.Add(field, MsgNotAChoice)
	}
	return id
}

// CheckResourceURL requires an absolute http(s) or ftp(s) URL with a host.
func CheckResourceURL(v *Violations, field, s string) {
	if strings.TrimSpace(s) == "" {
		v.Add(field, MsgRequired)
		return
	}
	if !IsWebURL(s) {
		v.Add(field, MsgInvalidURL)
	}
}

// IsWebURL reports whether s is an absolute http, https, ftp or ftps URL.
func IsWebURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp", "ftps":
		return true
	}
	return false
}

// CheckOptionalURL validates a website URL when set.
func CheckOptionalURL(v *Violations, field, s string) {
	if s != "" && !IsWebURL(s) {
		v.Add(field, MsgInvalidURL)
	}
}

// CheckChoice validates s against choices.
func CheckChoice(v *Violations, field, s string, ok bool) {
	if !ok {
		v.Add(field, MsgNotAChoice)
	}
}

// CheckFiletype validates a resource filetype.
func CheckFiletype(v *Violations, field, s string) {
	CheckChoice(v, field, s, s == FiletypeFile || s == FiletypeRemote)
}

// CheckResourceType validates a resource type.
func CheckResourceType(v *Violations, field, s string) {
	CheckChoice(v, field, s, IsResourceType(s))
}

// NormalizeFormat lowercases and trims a resource format ("CSV" → "csv").
func NormalizeFormat(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
