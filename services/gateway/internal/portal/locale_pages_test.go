package portal_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/gateway/internal/portal"
)

// TestLocales renders the same pages in French and in English.
func TestLocales(t *testing.T) {
	f := newFixture(t, false)
	f.addReuse(t, "Carte du budget lyonnais", "visualization", "economy_and_business", "Une carte.", f.lyon, f.budget)
	get := func(locale, path string) string {
		p, err := portal.New(portal.Options{Catalog: f.env.Catalog, Locale: locale})
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, http.StatusOK, rec.Code, path)
		return rec.Body.String()
	}
	fr := get("", "/")
	require.Contains(t, fr, `<html lang="fr">`)
	require.Contains(t, fr, "Les données ouvertes de vos collectivités")
	require.Contains(t, fr, "3 jeux de données publiés sur Relais")
	require.Contains(t, fr, `<a href="/datasets/">Jeux de données</a>`)
	ds := get("", "/datasets/"+f.delibs["slug"].(string)+"/")
	require.Contains(t, ds, `aria-label="Fil d&#39;Ariane"`, "messages escaped in attributes")
	require.Contains(t, ds, `<p>Ce jeu de données n'a pas encore de réutilisation connue.</p>`)

	en := get("en", "/")
	require.Contains(t, en, `<html lang="en">`)
	require.Contains(t, en, "The open data of your local authorities")
	require.Contains(t, en, "3 datasets published on Relais")
	require.Contains(t, en, `<a href="/datasets/">Datasets</a>`)
	require.Contains(t, en, "2 datasets", "Métropole de Lyon's count")
	require.NotContains(t, en, "jeux de données")

	en = get("en", "/reuses/")
	require.Contains(t, en, ">1 reuse<")
	require.Contains(t, en, "Visualization")
	require.Contains(t, en, "Relevance")
	en = get("en", "/datasets/"+f.budget["slug"].(string)+"/")
	require.Contains(t, en, "Published by")
	require.Contains(t, en, ">Download<")

	_, err := portal.New(portal.Options{Catalog: f.env.Catalog, Locale: "de"})
	require.ErrorContains(t, err, "want fr or en")
}
