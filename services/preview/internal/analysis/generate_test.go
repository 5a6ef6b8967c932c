package analysis

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// generatedColumns are the columns of generateCSV and the format Analyze
// must find for each.
var generatedColumns = []struct{ name, format string }{
	{"id", "int"},
	{"siret", "siret"},
	{"code_commune_insee", "code_commune_insee"},
	{"code_postal", "code_postal"},
	{"date_deliberation", "date"},
	{"horodatage", "datetime_aware"},
	{"montant", "float"},
	{"publie", "booleen"},
	{"latitude", "latitude_wgs"},
	{"longitude", "longitude_wgs"},
	{"courriel", "email"},
	{"site_web", "url"},
	{"objet", "string"},
	{"categorie", "string"},
}

var (
	communes   = []string{"75056", "13055", "69123", "2A004", "2B033", "01053", "97411", "33063"}
	postcodes  = []string{"75001", "13001", "69001", "20000", "20200", "01000", "97400", "33000"}
	categories = []string{"Culture", "Sport", "Social", "Éducation", "Environnement", "Santé"}
	words      = []string{"subvention", "délibération", "marché", "travaux", "voirie", "école", "bibliothèque", "réfection", "toiture", "gymnase", "fonctionnement", "investissement"}
)

// siret makes a valid SIRET (Luhn) from a 13-digit prefix.
func siret(r *rand.Rand) string {
	b := make([]byte, 14)
	for i := range 13 {
		b[i] = byte('0' + r.IntN(10))
	}
	b[0] = byte('1' + r.IntN(9))
	for d := byte('0'); d <= '9'; d++ {
		b[13] = d
		if luhn(string(b)) {
			break
		}
	}
	return string(b)
}

// generateCSV writes about size bytes of a French-style CSV: ';'
// delimited, decimal commas and digit grouping, dd/mm/yyyy dates, oui/non booleans, Corsican
// commune codes, quoted cells holding the delimiter and line breaks.
func generateCSV(w io.Writer, size int64, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 1))
	bw := bufio.NewWriterSize(w, 1<<20)
	for i, c := range generatedColumns {
		if i > 0 {
			bw.WriteByte(';')
		}
		bw.WriteString(c.name)
	}
	bw.WriteString("\r\n")
	var written int64
	for id := 1; written < size; id++ {
		k := r.IntN(len(communes))
		objet := words[r.IntN(len(words))] + " " + words[r.IntN(len(words))]
		switch r.IntN(20) {
		case 0:
			objet = `"` + objet + `; tranche 2"`
		case 1:
			objet = `"` + objet + "\nsur deux lignes, \"\"citée\"\"\""
		}
		publie := "oui"
		if r.IntN(3) == 0 {
			publie = "non"
		}
		line := fmt.Sprintf("%d;%s;%s;%s;%02d/%02d/%d;%d-%02d-%02dT%02d:%02d:%02d+01:00;%s,%02d;%s;%.6f;%.6f;contact%d@mairie-%d.fr;https://www.ville-%d.fr/deliberations/%d;%s;%s\r\n",
			id, siret(r), communes[k], postcodes[k],
			1+r.IntN(28), 1+r.IntN(12), 2000+r.IntN(25),
			2000+r.IntN(25), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60),
			grouped(r.IntN(10_000_000)), r.IntN(100), publie,
			41+r.Float64()*10, -5+r.Float64()*13,
			r.IntN(1000), r.IntN(1000), r.IntN(1000), id,
			objet, categories[r.IntN(len(categories))])
		if r.IntN(50) == 0 { // some missing values
			line = fmt.Sprintf("%d;%s;%s;%s;;;;;;;;;%s;\r\n", id, siret(r), communes[k], postcodes[k], objet)
		}
		n, err := bw.WriteString(line)
		if err != nil {
			return err
		}
		written += int64(n)
	}
	return bw.Flush()
}

// grouped writes n with its digits grouped by three, as French amounts
// are ("1 234 567").
func grouped(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	return s
}

// generatedFile writes a generated CSV of size bytes in dir.
func generatedFile(tb testing.TB, dir string, size int64) string {
	tb.Helper()
	path := filepath.Join(dir, fmt.Sprintf("generated-%d.csv", size))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := generateCSV(f, size, 42); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestGeneratedCSV: the benchmark's file is typed as generated, and its
// statistics stay bounded past the exact set (5 MB, ~25 000 rows).
func TestGeneratedCSV(t *testing.T) {
	path := generatedFile(t, t.TempDir(), 5<<20)
	p, err := Analyze(t.Context(), path, "generated.csv", DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if p.Delimiter != ";" || p.Encoding != "UTF-8" || len(p.Columns) != len(generatedColumns) {
		t.Fatalf("profile: %q %s %d columns", p.Delimiter, p.Encoding, len(p.Columns))
	}
	for i, want := range generatedColumns {
		if c := p.Columns[i]; c.Name != want.name || c.Format != want.format {
			t.Errorf("column %d: %s %s, want %s %s", i, c.Name, c.Format, want.name, want.format)
		}
	}
	id := p.Columns[0].Stats
	if id.DistinctExact || float64(id.Distinct) < 0.95*float64(p.RowCount) || float64(id.Distinct) > 1.05*float64(p.RowCount) {
		t.Errorf("id: %d distinct (exact %v) for %d rows", id.Distinct, id.DistinctExact, p.RowCount)
	}
	if cat := p.Columns[len(p.Columns)-1].Stats; !cat.DistinctExact || cat.Distinct != int64(len(categories)) || len(cat.Tops) != len(categories) {
		t.Errorf("categorie: %+v", cat)
	}
	checkRows(t, path, p)
}
