package tableschema

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// benchRows is the size of the generated délibérations file (about 40 MB).
const benchRows = 200_000

// writeDeliberations writes a synthetic délibérations CSV (v2.1.5
// columns): varied collectivités, dates, @ctes subjects and votes, with
// about one row in a hundred carrying an error (bad SIRET, bad date, votes
// that do not add up), so both paths are timed.
func writeDeliberations(tb testing.TB, path string, rows int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	rng := rand.New(rand.NewPCG(1, 2))
	matieres := []string{"Commande publique/Marchés publics", "Urbanisme/Documents d'urbanisme", "Finances locales/Subventions",
		"Fonction publique/Personnel titulaire", "Domaines de compétences par thèmes/Culture", "Institutions et vie politique/Élections"}
	sirets := make([]string, 500)
	for i := range sirets {
		sirets[i] = newSIRET(rng)
	}
	day := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	_ = w.Write(delibHeader)
	for i := range rows {
		d := day.AddDate(0, 0, rng.IntN(3000))
		eff := 20 + rng.IntN(50)
		reel := eff - rng.IntN(5)
		pour := rng.IntN(reel + 1)
		contre := rng.IntN(reel - pour + 1)
		abst := reel - pour - contre
		y := d.Year()
		row := []string{
			fmt.Sprintf("Commune n°%d", i%500), sirets[i%500], fmt.Sprintf("DL%07d", i), d.Format("2006-01-02"),
			fmt.Sprintf("%d.%d", 1+rng.IntN(9), rng.IntN(20)), matieres[rng.IntN(len(matieres))],
			"Objet de la délibération numéro " + strconv.Itoa(i) + " relative à l'aménagement du territoire communal",
			fmt.Sprintf("%d/%d", y, y+1), "Budget principal", "PREF" + strconv.Itoa(i%97), d.AddDate(0, 0, rng.IntN(30)).Format("2006-01-02"),
			strconv.Itoa(eff), strconv.Itoa(reel), strconv.Itoa(pour), strconv.Itoa(contre), strconv.Itoa(abst),
			"https://data.exemple.fr/deliberations/" + strconv.Itoa(i) + ".pdf",
		}
		if rng.IntN(100) == 0 {
			switch rng.IntN(3) {
			case 0:
				row[1] = row[1][:13] + "9"
			case 1:
				row[3] = d.Format("02/01/2006")
			case 2:
				row[13] = strconv.Itoa(pour + 1)
			}
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// newSIRET returns a random SIRET whose SIREN and whole number pass Luhn.
func newSIRET(rng *rand.Rand) string {
	siren := luhnComplete(fmt.Sprintf("%08d", rng.IntN(100_000_000)))
	return luhnComplete(siren + fmt.Sprintf("%04d", rng.IntN(10_000)))
}

func luhnComplete(prefix string) string {
	for d := '0'; d <= '9'; d++ {
		if s := prefix + string(d); luhn(s) {
			return s
		}
	}
	panic("unreachable: one digit always completes a Luhn number")
}

// BenchmarkValidateDeliberations validates a generated 200 000-row
// délibérations file (CSV read with encoding/csv, streamed) against the
// embedded scdl/deliberations schema, 11 custom checks included, and
// reports rows/s and MB/s.
func BenchmarkValidateDeliberations(b *testing.B) {
	path := filepath.Join(b.TempDir(), "deliberations.csv")
	writeDeliberations(b, path, benchRows)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	s, err := Lookup("scdl/deliberations", "")
	if err != nil {
		b.Fatal(err)
	}
	var r *Report
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err != nil {
			b.Fatal(err)
		}
		header = append([]string(nil), header...)
		r, err = s.Validate(context.Background(), header, func() ([]string, error) {
			rec, err := cr.Read()
			if err == io.EOF {
				return nil, io.EOF
			}
			return rec, err
		}, DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	elapsed := b.Elapsed().Seconds()
	b.ReportMetric(float64(r.Stats.Rows)*float64(b.N)/elapsed, "rows/s")
	b.Logf("%d rows, %.1f MB, %d errors (%v); %.0f rows/s, %.1f MB/s",
		r.Stats.Rows, float64(st.Size())/1e6, r.Stats.Errors, r.Stats.ByType,
		float64(r.Stats.Rows)*float64(b.N)/elapsed, float64(st.Size())*float64(b.N)/elapsed/1e6)
}

// BenchmarkValidateRowsOnly times Validate alone, on rows already in
// memory, to separate its cost from CSV reading.
func BenchmarkValidateRowsOnly(b *testing.B) {
	path := filepath.Join(b.TempDir(), "deliberations.csv")
	const n = 50_000
	writeDeliberations(b, path, n)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	all, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	s, err := Lookup("scdl/deliberations", "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		i := 1
		_, err := s.Validate(context.Background(), all[0], func() ([]string, error) {
			if i == len(all) {
				return nil, io.EOF
			}
			i++
			return all[i-1], nil
		}, DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
