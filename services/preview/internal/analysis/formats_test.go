package analysis

import (
	"math"
	"testing"
)

func TestFormatTests(t *testing.T) {
	cases := []struct {
		f    int
		good []string
		bad  []string
	}{
		{fBool, []string{"oui", "Non", "true", "FALSE", "vrai", "faux", "0", "1", "O", "n"}, []string{"2", "peut-être", "ouii", ""}},
		{fSIREN, []string{"732829320", "552100554", "130025265"}, []string{"732829321", "73282932", "73282932A"}},
		{fSIRET, []string{"73282932000074", "35600000000048", "35600000012341", "21750001600019"}, []string{"73282932000075", "3560000000004", "35600000012342"}},
		{fINSEE, []string{"75056", "2A004", "2B033", "01053", "97411"}, []string{"2C004", "00123", "7505", "750560", "99101"}},
		{fPostcode, []string{"75001", "01000", "20200", "97400"}, []string{"2A004", "00100", "7500", "750011"}},
		{fLatitude, []string{"48.8566", "-33,5", "90", "0"}, []string{"90.1", "abc", "-91"}},
		{fLongitude, []string{"2.3522", "-179.9", "180"}, []string{"180.5", "1.2.3"}},
		{fYear, []string{"2024", "1789"}, []string{"24", "20245", "0999"}},
		{fInt, []string{"0", "42", "-17", "+3", "123456789012345678", "1 000", "-12 345 678", "-123 456", "1\u00a0234", "1\u202f234"}, []string{"01", "4.2", "1234567890123456789", "-", "", "1 00", "1  000", " 100", "1234 567", "12 34"}},
		{fFloat, []string{"3,14", "3.14", "-0.5", ".5", "1e6", "12", "0,0", "1 200,50", "12 345.6"}, []string{"1,2,3", "1.2.3", "inf", "NaN", "01,5", "12345678901234567890123", "e5", "1e", "1 20,5", "1 200,5 0"}},
		{fDate, []string{"2024-03-30", "30/03/2024", "9/7/1952", "30-03-2024", "30.03.2024", "2024/03/30", "29/02/2024"}, []string{"30/13/2024", "31/04/2024", "29/02/2023", "2024-3-30", "03/30/2024", "30/03/24", "12/1/16", "0000-01-01"}},
		{fDateFR, []string{"30 mars 2024", "1er janvier 2024", "lundi 1 avril 2024", "15 Août 2023"}, []string{"30 march 2024", "32 mars 2024", "mars 2024"}},
		{fDatetimeAware, []string{"2024-03-30T12:00:00Z", "2024-03-30 12:00:00+01:00", "2024-03-30T12:00:00.123+0100", "30/03/2024 08:15:00+02"}, []string{"2024-03-30T12:00:00", "2024-03-30T25:00:00Z", "2024-03-30T12:00Zz"}},
		{fDatetimeNaive, []string{"2024-03-30T12:00:00", "2024-03-30 12:00", "30/03/2024 08:15:42", "2024-03-30"}, []string{"2024-03-30T12:00:00Z", "2024-03-30T12:60", "2024-03-30X12:00"}},
		{fGeopoint, []string{"48.8566,2.3522", "48.8566, 2.3522", "[48.8566, 2.3522]"}, []string{"48,2", "91.0,2.0", "48.1,2.2,3.3", "abc"}},
		{fEmail, []string{"mairie@ville.fr", "prenom.nom+x@sous.domaine.gouv.fr"}, []string{"mairie@", "@ville.fr", "a b@ville.fr", "a@b@c.fr", "a@ville"}},
		{fURL, []string{"https://www.data.gouv.fr/fr/datasets/", "http://exemple.org", "www.ville.fr"}, []string{"ftp://x.org", "https://a b", "www", "exemple.org"}},
		{fUUID, []string{"b78f8945-509f-4609-a4a7-3048b8370479"}, []string{"b78f8945-509f-4609-a4a7-3048b837047", "b78f8945x509f-4609-a4a7-3048b8370479"}},
		{fObjectID, []string{"5d13a8b6634f41070a43dff3"}, []string{"5d13a8b6634f41070a43dff", "123456789012345678901234"}},
		{fJSON, []string{`{"a": 1}`, `[1, 2]`, `{"coordinates": [[2.3, 48.8]], "type": "MultiPoint"}`}, []string{`{"a": 1`, "12", `"text"`, "{}x"}},
	}
	for _, c := range cases {
		f := formats[c.f]
		test := f.test
		switch c.f { // tested while gathering statistics, not through test
		case fInt:
			test = isInt
		case fFloat:
			test = isFloat
		}
		for _, s := range c.good {
			if !test(s) {
				t.Errorf("%s(%q) = false, want true", f.name, s)
			}
		}
		for _, s := range c.bad {
			if test(s) {
				t.Errorf("%s(%q) = true, want false", f.name, s)
			}
		}
	}
}

func TestLabelFormats(t *testing.T) {
	cases := map[string]int{
		"Code INSEE de la commune": fINSEE,
		"code_postal":              fPostcode,
		"Code postal":              fPostcode,
		"latitude":                 fLatitude,
		"lat":                      fLatitude,
		"Longitude (WGS84)":        fLongitude,
		"Année":                    fYear,
		"SIRET du bénéficiaire":    fSIRET,
	}
	for name, f := range cases {
		if labelFormats(name)&(1<<f) == 0 {
			t.Errorf("labelFormats(%q) misses %s", name, formats[f].name)
		}
	}
	if m := labelFormats("population"); m&(1<<fLatitude|1<<fLongitude|1<<fYear) != 0 {
		t.Errorf("labelFormats(population) = %b", m)
	}
}

// TestColumnDecisions: formats that depend on the column as a whole.
func TestColumnDecisions(t *testing.T) {
	cases := []struct {
		name   string
		cells  []string
		format string
		typ    string
	}{
		{"montant", []string{"12,5", "3", "", "1000,25"}, "float", "float"},
		{"nombre", []string{"12", "3", "NA", "1000"}, "int", "int"},
		{"code", []string{"75056", "13055", "69123"}, "int", "int"},                                               // five-digit numbers, no hint
		{"code", []string{"75056", "01053", "69123"}, "code_postal", "string"},                                    // a leading zero: a code
		{"code", []string{"75056", "2A004", "69123"}, "code_commune_insee", "string"},                             // Corsica
		{"code_insee", []string{"75056", "01053", "69123"}, "code_commune_insee", "string"},                       // the name decides
		{"latitude", []string{"48.85", "43,3", "-21.1"}, "latitude_wgs", "float"},                                 // named
		{"valeur", []string{"48.85", "43.3", "-21.1"}, "float", "float"},                                          // not named: a number
		{"actif", []string{"oui", "non", "Oui"}, "booleen", "bool"},                                               // French booleans
		{"date", []string{"2024-03-30", "2024-03-30 10:00:00"}, "datetime_naive", "datetime"},                     // mixed dates and datetimes
		{"date", []string{"2024-03-30", "30/03/2024"}, "date", "date"},                                            // mixed date forms
		{"quand", []string{"2024-03-30T10:00:00Z", "2024-03-30T10:00:00"}, "string", "string"},                    // aware and naive do not mix
		{"nombre", []string{"1", "2", "deux"}, "string", "string"},                                                // one word: text
		{"vide", []string{"", " ", "NA"}, "string", "string"},                                                     // no values
		{"ids", []string{"000123", "000124"}, "string", "string"},                                                 // zero-padded identifiers
		{"flags", []string{"0", "1", "1"}, "booleen", "bool"},                                                     // as csv-detective
		{"annee", []string{"2020", "2021", "2024"}, "year", "int"},                                                // named year
		{"siren", []string{"732829320", "552100554"}, "siren", "string"},                                          // Luhn
		{"geo", []string{"48.85, 2.35", "43.3,5.4"}, "geopoint", "string"},                                        // lat,lon
		{"shape", []string{`{"type": "Point", "coordinates": [2.3, 48.8]}`, `{"type": "Point"}`}, "json", "json"}, // JSON objects
	}
	for _, c := range cases {
		st := newColumnState(c.name, 100, seedForTest())
		for _, cell := range c.cells {
			st.add(cell)
		}
		col := st.column()
		if col.Format != c.format || col.Type != c.typ {
			t.Errorf("%s %q: format %s (%s), want %s (%s)", c.name, c.cells, col.Format, col.Type, c.format, c.typ)
		}
		for _, cell := range c.cells {
			if _, err := Parse(col, cell); err != nil {
				t.Errorf("%s: Parse(%q): %v", c.name, cell, err)
			}
		}
	}
}

func TestColumnStats(t *testing.T) {
	st := newColumnState("montant", 100, seedForTest())
	for _, cell := range []string{"10", "20", "", "30", "20", "NA", "20"} {
		st.add(cell)
	}
	col := st.column()
	s := col.Stats
	if col.Type != "int" || s.Nulls != 2 || s.Distinct != 3 || !s.DistinctExact || s.Min != int64(10) || s.Max != int64(30) || s.Mean != 20 {
		t.Fatalf("stats = %+v (type %s)", s, col.Type)
	}
	if len(s.Tops) != 3 || s.Tops[0] != (ValueCount{"20", 3}) {
		t.Errorf("tops = %v", s.Tops)
	}
	if want := 6.324555320336759; s.Std < want-1e-9 || s.Std > want+1e-9 {
		t.Errorf("std = %v, want %v", s.Std, want)
	}

	huge := newColumnState("x", 100, seedForTest())
	for _, cell := range []string{"1e308", "-1e308", "1,7e308"} {
		huge.add(cell)
	}
	if c := huge.column(); c.Type != "float" || math.IsInf(c.Stats.Std, 0) || math.IsNaN(c.Stats.Std) || math.IsNaN(c.Stats.Mean) {
		t.Errorf("huge values: %+v", c.Stats)
	}

	dates := newColumnState("date", 100, seedForTest())
	for _, cell := range []string{"30/03/2024", "1/1/2020", "2025-12-31"} {
		dates.add(cell)
	}
	if c := dates.column(); c.Stats.Min != "2020-01-01" || c.Stats.Max != "2025-12-31" {
		t.Errorf("date min/max = %v/%v", c.Stats.Min, c.Stats.Max)
	}
}

// TestValueCounterBounded: past its capacity a column's distinct count is
// estimated within a few percent, and its heavy hitters are still found,
// with the exact map released.
func TestValueCounterBounded(t *testing.T) {
	v := newValueCounter(1000, seedForTest())
	const n = 200_000
	for i := range n {
		v.add(itoa(i))
		if i%10 == 0 {
			v.add("fréquent")
		}
	}
	d, exact := v.distinct()
	if exact || v.exact != nil {
		t.Fatal("distinct still exact past the capacity")
	}
	if want := float64(n + 1); float64(d) < 0.95*want || float64(d) > 1.05*want {
		t.Errorf("distinct ≈ %d, want %d ± 5 %%", d, n+1)
	}
	tops, exact := v.tops()
	if exact || len(tops) == 0 || tops[0].Value != "fréquent" || tops[0].Count > n/10 || tops[0].Count < n/20 {
		t.Errorf("tops = %v (exact %v)", tops, exact)
	}
	if len(v.mg) > mgCounters {
		t.Errorf("%d counters, bound %d", len(v.mg), mgCounters)
	}
}

func itoa(i int) string {
	b := []byte("v")
	for {
		b = append(b, byte('0'+i%10))
		if i /= 10; i == 0 {
			return string(b)
		}
	}
}
