// Package ids checks the identifier forms data.gouv.fr's API uses: 24-hex
// ObjectIds for datasets, organizations and users, dashed UUIDs for
// resources. The catalog validates with them, the gateway routes with them.
package ids

// IsObjectID reports whether s is 24 hex digits (either case), as bson's
// ObjectId.is_valid checks.
func IsObjectID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// IsCanonicalUUID reports whether s is a dashed 8-4-4-4-12 hex UUID (what
// Werkzeug's uuid converter matches).
func IsCanonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

// IsHex reports whether c is a hex digit, either case.
func IsHex(c byte) bool { return isHex(c) }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
