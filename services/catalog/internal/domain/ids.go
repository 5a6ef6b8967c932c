package domain

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/relais-data/relais/pkg/ids"
)

// NewObjectID returns a 24-hex MongoDB-style ObjectId: 4 bytes of unix time
// (big endian, so ids sort roughly by creation) then 8 random bytes.
func NewObjectID(now time.Time) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[:4], uint32(now.Unix()))
	_, _ = rand.Read(b[4:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b[:])
}

// IsObjectID reports whether s is 24 hex digits (pkg/ids).
func IsObjectID(s string) bool { return ids.IsObjectID(s) }

// NewUUID4 returns a random (version 4) UUID in its dashed lowercase form.
func NewUUID4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// IsUUID reports whether s parses as a UUID the way Python's uuid.UUID does
// (udata's is_uuid): optional "urn:uuid:" and braces, dashes anywhere, and
// 32 hex digits.
func IsUUID(s string) bool {
	if len(s) >= 9 && (s[:9] == "urn:uuid:" || s[:9] == "URN:UUID:") {
		s = s[9:]
	}
	if len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' {
		s = s[1 : len(s)-1]
	}
	n := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '-':
		case ids.IsHex(s[i]):
			n++
		default:
			return false
		}
	}
	return n == 32
}

// IsCanonicalUUID reports whether s is a dashed 8-4-4-4-12 hex UUID
// (pkg/ids).
func IsCanonicalUUID(s string) bool { return ids.IsCanonicalUUID(s) }
