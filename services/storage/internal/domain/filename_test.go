package domain

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/blob"
)

func defaultExtensions(t testing.TB) *Extensions {
	t.Helper()
	e, err := NewExtensions(nil)
	require.NoError(t, err)
	return e
}

func TestParseFilename(t *testing.T) {
	allowed := defaultExtensions(t)
	cases := []struct {
		in, slug, format, original string
	}{
		{"data.csv", "data.csv", "csv", "data.csv"},
		{"Données Été 2024.CSV", "donnees-ete-2024.csv", "csv", "Données Été 2024.CSV"},
		{"export.csv.gz", "export.csv.gz", "csv.gz", "export.csv.gz"},
		{"archive.tar.gz", "archive.tar.gz", "tar.gz", "archive.tar.gz"},
		{"couches.shp.zip", "couches.shp.zip", "shp.zip", "couches.shp.zip"},
		{"backup.tgz", "backup.tgz", "tgz", "backup.tgz"},
		{"rapport.2023.final.csv", "rapport.2023.final.csv", "csv", "rapport.2023.final.csv"},
		{"weird.2023.zip", "weird.2023.zip", "zip", "weird.2023.zip"},
		{"L'état des lieux (v2).xlsx", "letat-des-lieux-v2.xlsx", "xlsx", "L'état des lieux (v2).xlsx"},
		{"../../etc/passwd.csv", "passwd.csv", "csv", "passwd.csv"},
		{`C:\Users\marie\Bureau\budget.ods`, "budget.ods", "ods", "budget.ods"},
		{"..csv.json", "csv.json", "json", "..csv.json"},
		{"nul\x00byte.csv", "nulbyte.csv", "csv", "nulbyte.csv"},
		{"北京.geojson", "bei-jing.geojson", "geojson", "北京.geojson"},
		{"  spaced  .txt", "spaced.txt", "txt", "spaced  .txt"},
	}
	for _, c := range cases {
		f, err := ParseFilename(c.in, allowed)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.slug, f.Slug, c.in)
		assert.Equal(t, c.format, f.Format, c.in)
		assert.Equal(t, c.original, f.Original, c.in)
		assert.Equal(t, f.Slug, f.Stem+f.Suffix, c.in)
	}
}

func TestParseFilenameRefused(t *testing.T) {
	allowed := defaultExtensions(t)
	for _, in := range []string{
		"", "data", "data.", "page.html", "page.HTM", "data.parquet", "data.tsv", "script.sh",
		"../../etc/passwd", "\x00", ".csv", "-.csv", "....", "archive.csv.exe", "x.csv/",
	} {
		_, err := ParseFilename(in, allowed)
		require.Error(t, err, "%q", in)
		assert.Equal(t, ReasonExtensionNotAllowed, ReasonOf(err), "%q", in)
		assert.Equal(t, MsgExtensionNotAllowed+ExtensionsPath, err.Error())
	}
}

func TestParseFilenameLong(t *testing.T) {
	f, err := ParseFilename(strings.Repeat("é", 500)+".csv.gz", defaultExtensions(t))
	require.NoError(t, err)
	assert.LessOrEqual(t, len(f.Slug), MaxFilenameLen)
	assert.True(t, strings.HasSuffix(f.Slug, ".csv.gz"))
	assert.Equal(t, "csv.gz", f.Format)
	assert.LessOrEqual(t, len(f.Original), MaxOriginalFilenameLen)
	assert.True(t, utf8.ValidString(f.Original))
	assert.True(t, strings.HasSuffix(f.Original, "é.csv.gz") || strings.HasSuffix(f.Original, ".gz"), f.Original)
	assert.NoError(t, blob.ValidateKey("resources/x/20250101-000000/"+f.WithCounter(9999)))
}

func TestWithCounter(t *testing.T) {
	f, err := ParseFilename("Budget 2024.csv.gz", defaultExtensions(t))
	require.NoError(t, err)
	assert.Equal(t, "budget-2024.csv.gz", f.WithCounter(0))
	assert.Equal(t, "budget-2024-1.csv.gz", f.WithCounter(1))
}

func TestCleanOriginal(t *testing.T) {
	assert.Equal(t, "a\uFFFDb.csv", CleanOriginal("a\xffb.csv"))
	assert.Equal(t, "evil.csv", CleanOriginal("evil\r\n\u202e.csv"))
	assert.Equal(t, "x.csv", CleanOriginal("  x.csv\t"))
}

func TestDatasetSlug(t *testing.T) {
	s, err := DatasetSlug("Budget Primitif 2024")
	require.NoError(t, err)
	assert.Equal(t, "budget-primitif-2024", s)
	s, err = DatasetSlug("../..")
	require.Error(t, err)
	assert.Equal(t, ReasonInvalidRequest, ReasonOf(err), s)
	s, err = DatasetSlug(strings.Repeat("a-", 300))
	require.NoError(t, err)
	assert.LessOrEqual(t, len(s), MaxDatasetSlugLen)
}

func TestExtensions(t *testing.T) {
	e := defaultExtensions(t)
	for _, ext := range []string{"csv", "json", "geojson", "xlsx", "zip", "gz", "shp", "kml", "gpx", "pdf", "ods", "other", "ssim"} {
		assert.True(t, e.Allowed(ext), ext)
	}
	for _, ext := range []string{"parquet", "tsv", "html", "htm", "exe", "php", "js", ""} {
		assert.False(t, e.Allowed(ext), ext)
	}
	assert.Len(t, e.List(), 63)
	assert.Equal(t, "tar", e.List()[0])
	_, err := NewExtensions([]string{"CSV", ".json"})
	require.NoError(t, err)
	_, err = NewExtensions([]string{"c/v"})
	require.Error(t, err)
}

func TestCheckID(t *testing.T) {
	require.NoError(t, CheckID("uuid", "0b8a3c1e-7f7e-4c77-9d2a-5b0f0e1f2a3b", false))
	require.NoError(t, CheckID("resource_id", "", true))
	for _, bad := range []string{"", "../x", "a/b", "a.b", strings.Repeat("a", 65), "é"} {
		require.Error(t, CheckID("uuid", bad, false), bad)
	}
}
