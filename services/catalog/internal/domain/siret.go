package domain

// laPosteSIREN is La Poste's SIREN: its establishments' SIRETs do not pass
// the Luhn check; INSEE validates them by a digit sum divisible by 5.
const laPosteSIREN = "356000000"

// CheckSIRET validates a business_number_id as udata does with
// ORG_BID_FORMAT=siret: 14 digits passing the Luhn check.
func CheckSIRET(v *Violations, field, s string) {
	if s == "" {
		return
	}
	if len(s) != 14 {
		v.Add(field, "A siret number is made of 14 digits")
		return
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			v.Add(field, "A siret number is only made of digits")
			return
		}
	}
	if !ValidSIRET(s) {
		v.Add(field, "Invalid Siret number")
	}
}

// ValidSIRET reports whether s (14 digits) passes the Luhn check, or La
// Poste's digit-sum rule.
func ValidSIRET(s string) bool {
	if len(s) != 14 {
		return false
	}
	if s[:9] == laPosteSIREN {
		sum := 0
		for i := 0; i < len(s); i++ {
			sum += int(s[i] - '0')
		}
		return sum%5 == 0
	}
	return luhn(s)
}

func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
