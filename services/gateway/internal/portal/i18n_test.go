package portal

import (
	"html/template"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// messageKey finds the keys the templates look up ({{t "…"}}, {{tn "…"}}).
var messageKey = regexp.MustCompile(`\{\{-?\s*tn?\s+"([^"]+)"|\(tn?\s+"([^"]+)"`)

// goKey finds the keys the handlers look up.
var goKey = regexp.MustCompile(`\bl(?:oc)?\.(?:t|tn|html|label)\("([^"]+)"`)

// TestCatalogs fails when a template or handler uses a key the French
// catalog lacks, and when the English catalog has a key French does not.
func TestCatalogs(t *testing.T) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	require.NoError(t, err)
	used := 0
	for _, name := range files {
		body, err := fs.ReadFile(templateFiles, name)
		require.NoError(t, err)
		for _, m := range messageKey.FindAllStringSubmatch(string(body), -1) {
			key := m[1] + m[2]
			used++
			_, one := frMessages[key+".one"]
			_, other := frMessages[key+".other"]
			_, plain := frMessages[key]
			require.True(t, plain || (one && other), "%s: key %q not in the French catalog", name, key)
		}
	}
	require.Greater(t, used, 50, "the templates look their words up")
	var goKeys []string
	for _, f := range filterFields {
		goKeys = append(goKeys, f.heading)
	}
	for _, f := range reuseFilterFields {
		goKeys = append(goKeys, f.heading)
	}
	for _, c := range append(sortChoices, reuseSortChoices...) {
		goKeys = append(goKeys, c.Label)
	}
	for _, r := range roles {
		goKeys = append(goKeys, r.Label)
	}
	// The handlers' own lookups: loc.t("…"), l.t("…"), loc.tn("…", n).
	sources, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, name := range sources {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		body, err := os.ReadFile(name)
		require.NoError(t, err)
		for _, m := range goKey.FindAllStringSubmatch(string(body), -1) {
			goKeys = append(goKeys, m[1])
		}
	}
	goKeys = append(goKeys, "form.create", "form.save") // the dataset form's buttons, passed to {{t .Submit}}
	require.Greater(t, len(goKeys), 40)
	for _, key := range goKeys {
		if strings.HasSuffix(key, ".") {
			// A prefix completed at run time ("reuse.types."+id): the
			// catalog names at least some of its values.
			require.True(t, slices.ContainsFunc(slices.Collect(maps.Keys(frMessages)), func(k string) bool { return strings.HasPrefix(k, key) }), "prefix %q", key)
			continue
		}
		_, plain := frMessages[key]
		_, one := frMessages[key+".one"]
		require.True(t, plain || one, "key %q not in the French catalog", key)
	}
	for key := range enMessages {
		_, ok := frMessages[key]
		require.True(t, ok, "English key %q unknown to French", key)
	}
}

func TestLocaleFormats(t *testing.T) {
	day := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	require.Equal(t, "27 novembre 2026", frLocale.date(day))
	require.Equal(t, "November 27, 2026", enLocale.date(day))
	require.Equal(t, "1\u202f234,5", frLocale.decimalNumber(1234.5, 1))
	require.Equal(t, "1,234.5", enLocale.decimalNumber(1234.5, 1))
	require.Equal(t, "1.5 MB", enLocale.size(1_500_000))
	require.Equal(t, "-0,5", frLocale.decimalNumber(-0.5, 1))
	require.Equal(t, "-1\u202f234\u202f567", frLocale.number(-1234567))
	require.Equal(t, "0 jeu de données", frLocale.tn("count.datasets", 0))
	require.Equal(t, "1 jeu de données", frLocale.tn("count.datasets", 1))
	require.Equal(t, "2 jeux de données", frLocale.tn("count.datasets", int64(2)))
	require.Equal(t, "0 datasets", enLocale.tn("count.datasets", 0))
	require.Equal(t, "1 dataset", enLocale.tn("count.datasets", 1))
	require.Equal(t, "Jeux de données pour « budget »", frLocale.t("search.heading.query", "budget"))
	require.Equal(t, template.HTML("Jeux de données pour « &lt;b&gt;&#34;x&#34; &amp; 'y' »"), frLocale.html("search.heading.query", `<b>"x" & 'y'`),
		"a message's arguments are escaped")
	partial := &locale{messages: map[string]string{}, fallback: frLocale}
	require.Equal(t, "Mon espace", partial.t("nav.space"), "a key a catalog lacks reads in French")
	require.Equal(t, "no.such.key", partial.t("no.such.key"))
	require.Equal(t, "Connexion", enLocale.label("nope.key", "Connexion"))

	for _, tag := range []string{"", "fr", "FR-fr", "en", "en-GB"} {
		_, err := localeFor(tag)
		require.NoError(t, err, tag)
	}
	_, err := localeFor("de")
	require.ErrorContains(t, err, "want fr or en")
}
