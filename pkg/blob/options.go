package blob

import (
	"encoding/base64"
	"fmt"
	"maps"
	"mime"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxMetadataLen bounds the bytes of metadata keys and values together, as
// they travel in S3 headers (see encodeMetadataValue), on both backends.
const MaxMetadataLen = 2048

// normalizePutOptions validates opts and returns the form both backends
// store: a default content type, and nil metadata when there is none.
func normalizePutOptions(opts PutOptions) (PutOptions, error) {
	if opts.ContentType == "" {
		opts.ContentType = DefaultContentType
	}
	if !isHeaderValue(opts.ContentType, false) {
		return PutOptions{}, fmt.Errorf("%w: content type %q", ErrInvalidOptions, truncate(opts.ContentType))
	}
	if len(opts.Metadata) == 0 {
		opts.Metadata = nil
		return opts, nil
	}
	total := 0
	for k, v := range opts.Metadata {
		if !isMetadataKey(k) {
			return PutOptions{}, fmt.Errorf("%w: metadata key %q (want lower-case letters, digits and '-')", ErrInvalidOptions, truncate(k))
		}
		if !isMetadataValue(v) {
			return PutOptions{}, fmt.Errorf("%w: metadata %s: want UTF-8 text without control characters, surrounding spaces or \"=?\"", ErrInvalidOptions, k)
		}
		total += len(k) + len(encodeMetadataValue(v))
	}
	if total > MaxMetadataLen {
		return PutOptions{}, fmt.Errorf("%w: metadata is %d bytes, more than %d", ErrInvalidOptions, total, MaxMetadataLen)
	}
	opts.Metadata = maps.Clone(opts.Metadata)
	return opts, nil
}

func validatePresign(ttl time.Duration, opts PresignOptions) error {
	if ttl < time.Second || ttl > MaxPresignTTL {
		return fmt.Errorf("%w: presign TTL %v (want 1s to %v)", ErrInvalidOptions, ttl, MaxPresignTTL)
	}
	if !isHeaderValue(opts.ContentDisposition, true) || !isHeaderValue(opts.ContentType, false) {
		return fmt.Errorf("%w: presign headers contain control or invalid characters", ErrInvalidOptions)
	}
	return nil
}

// checkRange validates rng against an object of size bytes and returns the
// offset and number of bytes to read.
func checkRange(rng *Range, size int64) (offset, n int64, err error) {
	if rng == nil || (rng.Offset == 0 && rng.Length == -1) {
		return 0, size, nil
	}
	if rng.Offset < 0 || rng.Length == 0 || rng.Length < -1 || rng.Offset >= size {
		return 0, 0, fmt.Errorf("%w: offset %d length %d of a %d-byte object", ErrInvalidRange, rng.Offset, rng.Length, size)
	}
	n = size - rng.Offset
	if rng.Length != -1 && rng.Length < n {
		n = rng.Length
	}
	return rng.Offset, n, nil
}

// checkRangeShape validates what can be checked without the object's size.
func checkRangeShape(rng *Range) error {
	if rng != nil && (rng.Offset < 0 || rng.Length == 0 || rng.Length < -1) {
		return fmt.Errorf("%w: offset %d length %d", ErrInvalidRange, rng.Offset, rng.Length)
	}
	return nil
}

func isMetadataKey(k string) bool {
	if k == "" || len(k) > 128 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isMetadataValue reports whether v survives the trip through S3 headers:
// HTTP trims surrounding spaces, and S3 servers decode RFC 2047 encoded
// words ("=?utf-8?b?…?=") on the way in, so a value holding "=?" could come
// back changed.
func isMetadataValue(v string) bool {
	return isHeaderValue(v, true) && strings.TrimSpace(v) == v && !strings.Contains(v, "=?")
}

// isHeaderValue reports whether s can travel in an HTTP header: printable
// ASCII, or, with utf8OK, any UTF-8 text without control characters.
func isHeaderValue(s string, utf8OK bool) bool {
	if utf8OK && !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8OK) {
			return false
		}
	}
	return true
}

// encodeMetadataValue gives the form of a valid metadata value that
// travels in an HTTP header: printable ASCII as it is, anything else as an
// RFC 2047 encoded word, which S3 servers decode before storing (AWS SDKs
// send non-ASCII values this way too).
func encodeMetadataValue(v string) string {
	if isHeaderValue(v, false) {
		return v
	}
	return "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
}

// decodeMetadataValue decodes the RFC 2047 encoded words a server may
// return for non-ASCII values (AWS does; MinIO returns raw UTF-8). Valid
// values never contain "=?" themselves, so this cannot alter one.
func decodeMetadataValue(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	dec, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return v
	}
	return dec
}
