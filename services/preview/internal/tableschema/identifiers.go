package tableschema

import (
	"strings"
	"unicode"
)

// compactID drops the spaces and dots people put in SIREN and SIRET
// numbers, as python-stdnum (under validata) does.
func compactID(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
}

// luhn reports whether the digits of s pass the Luhn checksum.
func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
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

// validSIREN: 9 digits passing the Luhn checksum.
func validSIREN(s string) bool {
	s = compactID(s)
	return len(s) == 9 && allDigits(s) && luhn(s)
}

// La Poste's establishments (its SIREN 356000000, head office aside) have
// SIRET numbers that do not pass Luhn: INSEE makes their digit sum a
// multiple of 5 instead (python-stdnum, under validata, knows it too).
const (
	laPosteSIREN      = "356000000"
	laPosteHeadOffice = "35600000000048"
)

// validSIRET: 14 digits, Luhn checksum (La Poste's exception aside) and a
// valid SIREN in front.
func validSIRET(s string) bool {
	s = compactID(s)
	if len(s) != 14 || !allDigits(s) {
		return false
	}
	if s[:9] == laPosteSIREN && s != laPosteHeadOffice {
		sum := 0
		for i := 0; i < len(s); i++ {
			sum += int(s[i] - '0')
		}
		return sum%5 == 0
	}
	return luhn(s) && luhn(s[:9])
}

// actesMatieres are the first-level subjects of the @ctes nomenclature
// (the prefix of DELIB_MATIERE_NOM before "/"), as validata lists them.
var actesMatieres = foldedSet(
	"Commande publique",
	"Urbanisme",
	"Domaine et patrimoine",
	"Fonction publique",
	"Institutions et vie politique",
	"Libertés publiques et pouvoirs de police",
	"Finances locales",
	"Domaines de compétences par thèmes",
	"Autres domaines de compétences",
)

func foldedSet(vals ...string) map[string]bool {
	m := make(map[string]bool, len(vals))
	for _, v := range vals {
		m[foldFrench(v)] = true
	}
	return m
}

// foldFrench lowercases and strips the accents French uses, so that
// "Libertes publiques" matches "Libertés publiques".
func foldFrench(s string) string {
	return strings.Map(func(r rune) rune {
		r = unicode.ToLower(r)
		switch r {
		case 'à', 'â', 'ä':
			return 'a'
		case 'é', 'è', 'ê', 'ë':
			return 'e'
		case 'î', 'ï':
			return 'i'
		case 'ô', 'ö':
			return 'o'
		case 'ù', 'û', 'ü':
			return 'u'
		case 'ç':
			return 'c'
		case 'ÿ':
			return 'y'
		}
		return r
	}, s)
}

func nomenclatureCheck(col string) checkFunc {
	return func(row checkRow) (string, string, bool) {
		v := row.get(0)
		if v == "" {
			return "", "", true
		}
		prefix, _, ok := strings.Cut(v, "/")
		switch {
		case !ok:
			return col, "La valeur ne respecte pas la nomenclature @ctes : le signe oblique « / » est manquant", false
		case actesMatieres[foldFrench(prefix)] && !strings.Contains(v, "/ "):
			return "", "", true
		case actesMatieres[foldFrench(strings.TrimRight(prefix, " "))] || strings.Contains(v, "/ "):
			return col, "La valeur ne respecte pas la nomenclature @ctes : le signe oblique ne doit être ni précédé ni suivi d'une espace", false
		}
		return col, "La valeur ne respecte pas la nomenclature @ctes : le préfixe « " + prefix + " » n'est pas reconnu", false
	}
}
