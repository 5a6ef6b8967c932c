package domain

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestSlugify(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Élections municipales à Saint-Étienne", "elections-municipales-a-saint-etienne"},
		{"Cœur de ville & œuvres d'art", "coeur-de-ville-oeuvres-dart"},
		{"Æsthétique ÉCOLE", "aesthetique-ecole"},
		{"Plans Locaux d'Urbanisme de la Haute-Loire", "plans-locaux-durbanisme-de-la-haute-loire"},
		{"L’eau potable", "leau-potable"},
		{"x_hamster_parcelles_prospectees_2025_r44", "x-hamster-parcelles-prospectees-2025-r44"},
		{"  Budget   2024 -- (primitif) ", "budget-2024-primitif"},
		{"Straße", "strasse"},
		{"«Délibérations» — conseil", "deliberations-conseil"},
		{"!!!", ""},
		{"", ""},
	} {
		require.Equal(t, tc.want, Slugify(tc.in, MaxSlugLength), "Slugify(%q)", tc.in)
	}
}

func TestSlugifyMaxLengthKeepsWholeWords(t *testing.T) {
	require.Equal(t, "abc-de", Slugify("abc defghij de", 7))
	require.Equal(t, "abcdefg", Slugify("abcdefghij", 7))
	long := strings.Repeat("mot ", 200)
	s := Slugify(long, MaxSlugLength)
	require.LessOrEqual(t, len(s), MaxSlugLength)
	require.False(t, strings.HasSuffix(s, "-"))
}

func TestSlugCandidate(t *testing.T) {
	require.Equal(t, "budget", SlugCandidate("budget", 0, MaxSlugLength))
	require.Equal(t, "budget-1", SlugCandidate("budget", 1, MaxSlugLength))
	require.Equal(t, "budget-12", SlugCandidate("budget", 12, MaxSlugLength))
	base := strings.Repeat("a", MaxSlugLength)
	c := SlugCandidate(base, 3, MaxSlugLength)
	require.Len(t, c, MaxSlugLength)
	require.True(t, strings.HasSuffix(c, "-3"))
	id := "f868cca6-8da1-4369-a78d-47463f19a9a3"
	require.Equal(t, id+"-uuid", SlugCandidate(id, 0, MaxSlugLength))
	require.Equal(t, "f868cca68da14369a78d47463f19a9a3-uuid", SlugCandidate("f868cca68da14369a78d47463f19a9a3", 0, MaxSlugLength))
}

func TestFoldAndSearchWords(t *testing.T) {
	require.Equal(t, "elections a saint-etienne", FoldText("Élections à Saint-Étienne"))
	require.Equal(t, []string{"eau", "potable", "2024"}, SearchWords("  Eau, POTABLE! 2024 "))
	require.Empty(t, SearchWords("%' OR 1=1 --"[:0]))
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Élections municipales à Saint-Étienne", "œuvre", "a--b", "ʼ’'", "北京", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := Slugify(in, MaxSlugLength)
		if len(s) > MaxSlugLength {
			t.Fatalf("slug %q longer than %d", s, MaxSlugLength)
		}
		if !utf8.ValidString(s) {
			t.Fatalf("slug %q is not UTF-8", s)
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Fatalf("slug %q has %q", s, r)
			}
		}
		if strings.HasPrefix(s, "-") || strings.Contains(s, "--") {
			t.Fatalf("slug %q has a stray separator", s)
		}
		if again := Slugify(s, MaxSlugLength); again != s {
			t.Fatalf("Slugify is not idempotent: %q then %q", s, again)
		}
	})
}

func TestIsURLSafeSlug(t *testing.T) {
	for s, want := range map[string]bool{
		"catalogue-des-donnees-de-data-gouv-fr":         true,
		"plan-local-d-urbanisme-mediterranee--30381974": true,
		"":                       false,
		"-lead":                  false,
		"trail-":                 false,
		"Upper":                  false,
		"accent-é":               false,
		"with/slash":             false,
		strings.Repeat("a", 256): false,
	} {
		if got := IsURLSafeSlug(s); got != want {
			t.Errorf("IsURLSafeSlug(%q) = %v, want %v", s, got, want)
		}
	}
}
