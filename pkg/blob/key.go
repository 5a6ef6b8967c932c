package blob

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Key limits, the tighter of S3's and Linux filesystems'.
const (
	MaxKeyLen     = 1024 // bytes, S3's limit
	MaxSegmentLen = 255  // bytes between slashes, NAME_MAX
)

// ValidateKey reports whether key can name an object, wrapping ErrInvalidKey
// when it cannot. A key is a relative, slash-separated path of 1 to
// MaxKeyLen bytes of valid UTF-8 with:
//   - no empty segment (no leading, trailing or doubled '/'),
//   - no segment longer than MaxSegmentLen bytes,
//   - no segment starting with '.' (which rules out "." and ".." and leaves
//     the fs backend a namespace for its temporary files),
//   - no backslash and no control character (NUL included).
//
// Every such key is a local path (filepath.IsLocal) equal to its own
// filepath.Clean, on Linux.
func ValidateKey(key string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("%w %q: %s", ErrInvalidKey, truncate(key), err)
	}
	return nil
}

// validatePrefix accepts "", a valid key, or a valid key followed by "/".
func validatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := checkKey(strings.TrimSuffix(prefix, "/")); err != nil {
		return fmt.Errorf("%w: prefix %q: %s", ErrInvalidKey, truncate(prefix), err)
	}
	return nil
}

// keyError is a reason, formatted by the caller.
type keyError string

func (e keyError) Error() string { return string(e) }

func checkKey(key string) error {
	switch {
	case key == "":
		return keyError("empty")
	case len(key) > MaxKeyLen:
		return keyError(fmt.Sprintf("longer than %d bytes", MaxKeyLen))
	case !utf8.ValidString(key):
		return keyError("not valid UTF-8")
	}
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c < 0x20 || c == 0x7f:
			return keyError(fmt.Sprintf("control character %#02x at byte %d", c, i))
		case c == '\\':
			return keyError("backslash")
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return keyError("empty segment (leading, trailing or doubled '/')")
		case seg[0] == '.':
			return keyError(fmt.Sprintf("segment %q starts with '.'", truncate(seg)))
		case len(seg) > MaxSegmentLen:
			return keyError(fmt.Sprintf("segment longer than %d bytes", MaxSegmentLen))
		}
	}
	return nil
}

// truncate shortens what goes into an error message.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
