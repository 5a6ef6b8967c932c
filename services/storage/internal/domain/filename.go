package domain

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Name limits.
const (
	// MaxFilenameLen bounds the stored name, which is one key segment (255
	// bytes at most), leaving room for a "-N" de-duplication counter.
	MaxFilenameLen = 240
	// MaxOriginalFilenameLen bounds the original name kept for
	// Content-Disposition.
	MaxOriginalFilenameLen = 255
)

// Filename is an uploaded file's name, as udata stores it.
type Filename struct {
	// Original is the name as uploaded, made printable UTF-8 (see
	// CleanOriginal), without the directories some clients send
	// ("C:\Users\x\data.csv", "../../data.csv").
	Original string
	// Slug is the stored name: the base name slugified with '.' kept
	// (udata's storages.utils.normalize), without leading dots.
	Slug string
	// Stem and Suffix split Slug: Suffix is "." + Format.
	Stem, Suffix string
	// Ext is the last extension, the one checked against the allowed list.
	Ext string
	// Format is udata's resource format: Ext, chained with the inner
	// extension for wrappers ("csv.gz", "tar.gz", "shp.zip").
	Format string
}

// WithCounter returns the stored name for the n-th try: Slug for 0, then
// "stem-1.csv", "stem-2.csv"… (used when a key is taken).
func (f Filename) WithCounter(n int) string {
	if n == 0 {
		return f.Slug
	}
	return f.Stem + "-" + strconv.Itoa(n) + f.Suffix
}

// ParseFilename slugifies name and checks its extension against allowed.
// A name without an allowed extension is refused with udata's message.
func ParseFilename(name string, allowed *Extensions) (Filename, error) {
	base := baseName(printable(name))
	orig := shorten(base, MaxOriginalFilenameLen)
	slug := slugify(base, ".")
	// A leading '.' would hide the file (and is refused in keys); "-" left
	// at the start by a leading "." run is noise.
	slug = strings.TrimLeft(slug, ".-")
	dot := strings.LastIndexByte(slug, '.')
	if dot < 0 {
		return Filename{}, ExtensionNotAllowed("")
	}
	ext := slug[dot+1:]
	if !allowed.Allowed(ext) {
		return Filename{}, ExtensionNotAllowed(ext)
	}
	format := ext
	stem := slug[:dot]
	if wrapperExtensions[ext] {
		if d := strings.LastIndexByte(stem, '.'); d > 0 {
			inner := stem[d+1:]
			if allowed.Allowed(inner) && !wrapperExtensions[inner] {
				format = inner + "." + ext
				stem = stem[:d]
			}
		}
	}
	suffix := "." + format
	if len(stem)+len(suffix) > MaxFilenameLen {
		stem = stem[:MaxFilenameLen-len(suffix)]
	}
	stem = strings.TrimRight(stem, ".-")
	if stem == "" {
		stem = "file"
	}
	if orig == "" {
		orig = stem + suffix
	}
	return Filename{
		Original: orig,
		Slug:     stem + suffix,
		Stem:     stem,
		Suffix:   suffix,
		Ext:      ext,
		Format:   format,
	}, nil
}

// CleanOriginal makes a client's file name safe to keep and to put in a
// header: valid UTF-8 (invalid bytes become U+FFFD), no control or format
// characters (NUL, newlines, bidi overrides), no surrounding spaces, at
// most MaxOriginalFilenameLen bytes (cut in the middle, keeping the
// extension).
func CleanOriginal(name string) string {
	return shorten(printable(name), MaxOriginalFilenameLen)
}

func printable(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	return strings.TrimSpace(name)
}

// shorten cuts s to max bytes at a rune boundary, keeping a short
// extension at the end.
func shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	suffix := ""
	if dot := strings.LastIndexByte(s, '.'); dot >= 0 && len(s)-dot <= 32 {
		suffix = s[dot:]
	}
	cut := max - len(suffix)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + suffix
}

// baseName drops anything up to the last '/' or '\'.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		return name[i+1:]
	}
	return name
}
