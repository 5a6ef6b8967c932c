package analysis

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"testing"
)

// sharedData is ../shared/data from the repository root.
const sharedData = "../../../../../shared/data"

// sampleCase is what a person reading the file expects Analyze to find.
type sampleCase struct {
	file      string
	format    string
	encoding  string
	delimiter string
	headerRow int
	rows      int64
	columns   int
	// formats of some columns (by name): csv-detective format names
	formats map[string]string
}

var sampleCases = []sampleCase{
	{file: "samples/latin1-semicolon/code_postaux_v201410.head2000.csv", format: "csv", encoding: "ISO-8859-1", delimiter: ";", rows: 2000, columns: 4,
		// "042620" is a typo among 2 000 postcodes: within the tolerance of text formats.
		formats: map[string]string{"code commune INSEE": "code_commune_insee", "code postal": "code_postal", "nom de la commune": "string", "libellé d'acheminement": "string"}},
	{file: "samples/lave-linge/lave-linge-point-virgule.csv", format: "csv", encoding: "UTF-8-SIG", delimiter: ";", rows: 1, columns: 228,
		formats: map[string]string{"id_unique": "string", "id_modele": "int", "date_calcul": "date", "url_tableau_detail_notation": "url", "note_reparabilite": "float"}},
	{file: "samples/lave-linge/lave-linge-virgule.csv", format: "csv", encoding: "UTF-8-SIG", delimiter: ",", rows: 1, columns: 228,
		formats: map[string]string{"id_modele": "int", "date_calcul": "date", "url_tableau_detail_notation": "url"}},
	{file: "samples/lave-linge/lave-linge-tabulation.csv", format: "tsv", encoding: "UTF-8-SIG", delimiter: "\t", rows: 1, columns: 228,
		formats: map[string]string{"id_modele": "int", "date_calcul": "date", "url_tableau_detail_notation": "url"}},
	{file: "samples/lave-linge/lave-linge.xlsx", format: "xlsx", rows: 1, columns: 228,
		formats: map[string]string{"id_modele": "int", "date_calcul": "date", "url_tableau_detail_notation": "url"}},
	{file: "samples/lave-linge/lave-linge.ods", format: "ods", rows: 1, columns: 228,
		formats: map[string]string{"id_modele": "int", "date_calcul": "date", "url_tableau_detail_notation": "url"}},
	{file: "samples/paris-sanisettes/sanisettesparis.csv", format: "csv", encoding: "UTF-8", delimiter: ";", rows: 615, columns: 10,
		formats: map[string]string{"acces_pmr": "booleen", "relais_bebe": "booleen", "url_fiche_equipement": "url", "geo_shape": "json", "geo_point_2d": "geopoint", "statut": "string", "arrondissement": "int"}},
	{file: "samples/paris-sanisettes/sanisettesparis.json", format: "json", rows: 615, columns: 10,
		formats: map[string]string{"acces_pmr": "booleen", "geo_shape": "json", "url_fiche_equipement": "url"}},
	{file: "samples/rne-elus/4-rne-cr-2019-01-latin1-tab.txt", format: "tsv", encoding: "ISO-8859-1", delimiter: "\t", headerRow: 1, rows: 1753, columns: 13,
		formats: map[string]string{"Code région": "string", "Date de naissance": "date", "Date de début du mandat": "date", "Nom de l'élu": "string"}},
	{file: "samples/rne-elus/elus-conseillers-regionaux-2023-utf8-comma.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 1753, columns: 13,
		formats: map[string]string{"Code de la région": "string", "Date de naissance": "date", "Code de la catégorie socio-professionnelle": "int"}},
	{file: "samples/rne-elus/elus-senateurs-2024-utf8-semicolon.csv", format: "csv", encoding: "UTF-8", delimiter: ";", rows: 348, columns: 11,
		// "1", "2A", "971", "ZZ": département codes without zero padding are text.
		formats: map[string]string{"Code du département": "string", "Date de naissance": "date", "Date de début du mandat": "date"}},
	{file: "samples/rne-elus/rne-cr-2022-utf8-tab.csv", format: "tsv", encoding: "UTF-8", delimiter: "\t", rows: 1754, columns: 13,
		formats: map[string]string{"Date de naissance": "date"}},
	// The data.gouv.fr catalogue export (1 in 5): gzip, all cells quoted,
	// CRLF records with LF inside descriptions, a 1.75 MB cell, years such
	// as 0201 in temporal coverages.
	{file: "catalog/datagouv-export-dataset-20260116-sample-1in5.csv.gz", format: "csv", encoding: "UTF-8", delimiter: ";", rows: 24189, columns: 40,
		formats: map[string]string{"id": "mongo_object_id", "organization_id": "mongo_object_id", "url": "url", "featured": "booleen",
			"created_at": "datetime_naive", "temporal_coverage.start": "date", "resources_count": "int", "quality_score": "float",
			"description": "string", "harvest.remote_url": "url"}},
	// GeoJSON: the features' properties are the table.
	{file: "samples/geojson/communes-2A-corse-du-sud.geojson", format: "geojson", rows: 124, columns: 2,
		formats: map[string]string{"code": "code_commune_insee", "nom": "string"}},
	{file: "samples/geojson/regions-version-simplifiee.geojson", format: "geojson", rows: 13, columns: 2,
		formats: map[string]string{"nom": "string"}},
	{file: "samples/geojson/hydra-valid.geojson", format: "geojson", rows: 3, columns: 2,
		formats: map[string]string{"name": "string", "description": "string"}},
	// Coordinates ["a", "b"]: the geometry is the map's business (geo.Simplify
	// rejects it); its properties are a fine table.
	{file: "samples/geojson/hydra-invalid.geojson", format: "geojson", rows: 1, columns: 2},
	{file: "samples/paris-sanisettes/sanisettesparis.geojson", format: "geojson", rows: 615, columns: 9,
		formats: map[string]string{"acces_pmr": "booleen", "url_fiche_equipement": "url"}},

	{file: "scdl/irve-statique/exemple-valide-statique.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 2, columns: 40,
		formats: map[string]string{"siren_amenageur": "siren", "contact_amenageur": "email", "code_insee_commune": "code_commune_insee", "coordonneesXY": "geopoint", "nbre_pdc": "int"}},
	{file: "scdl/subventions/exemples/exemple_valide.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 29, columns: 16,
		formats: map[string]string{"idAttribuant": "siret", "idBeneficiaire": "siret", "dateConvention": "date", "montant": "float", "notificationUE": "booleen"}},
	{file: "scdl/subventions/exemples/exemple_invalide_erreurs_cellules.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 29, columns: 15,
		formats: map[string]string{"dateConvention": "date", "nomAttribuant": "string"}},
	// NOM_Beneficiaire instead of nomBeneficiaire, rnaBeneficiaire where
	// idBeneficiaire should be: the schema's business, a fine table here.
	{file: "scdl/subventions/exemples/exemple_invalide_erreurs_colonnes.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 29, columns: 15,
		formats: map[string]string{"idAttribuant": "int", "dateConvention": "date", "NOM_Beneficiaire": "string"}}, // 21860194600000 fails the Luhn key
	{file: "scdl/subventions/exemple-duplicate-column.csv", format: "csv", encoding: "ISO-8859-1", delimiter: ",", rows: 29, columns: 15,
		formats: map[string]string{"notificationUE": "booleen", "notificationUE.1": "string", "idBeneficiaire": "siret"}},
	{file: "scdl/bal/examples/bal_simple_v1.4.csv", format: "csv", encoding: "UTF-8-SIG", delimiter: ";", rows: 25, columns: 21,
		formats: map[string]string{"id_ban_commune": "uuid", "commune_insee": "code_commune_insee", "numero": "int", "x": "float", "long": "longitude_wgs", "lat": "latitude_wgs"}},
	{file: "scdl/bal/examples/bal_simple_v1.5.csv", format: "csv", encoding: "UTF-8-SIG", delimiter: ";", rows: 25, columns: 20,
		formats: map[string]string{"id_ban_adresse": "uuid", "commune_insee": "code_commune_insee", "long": "longitude_wgs"}},
	{file: "scdl/bal/examples/bal_multilingue_v1.3.csv", format: "csv", encoding: "UTF-8-SIG", delimiter: ";", rows: 24, columns: 23,
		formats: map[string]string{"commune_insee": "code_commune_insee", "lat": "latitude_wgs"}},
	{file: "scdl/bal/validateur-bal-fixtures/1.5-valid.csv", format: "csv", encoding: "UTF-8", delimiter: ";", rows: 2, columns: 16,
		formats: map[string]string{"commune_insee": "code_commune_insee", "long": "longitude_wgs"}},
	{file: "scdl/bal/validateur-bal-fixtures/junk.ascii.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 6, columns: 2},
	{file: "scdl/prenoms/examples/prenoms-nouveaux-nes_exemple-valide.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 16, columns: 6,
		formats: map[string]string{"COLL_INSEE": "code_commune_insee", "ANNEE": "year", "NOMBRE_OCCURRENCES": "int"}},
	{file: "scdl/prenoms/examples/prenoms-nouveaux-nes_exemple-invalide.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 16, columns: 6},
	// Multi-line cells, mixed line ends, "coordonnnées" typo, and one SIRET
	// Excel turned into "2,10104E+13": the column is a float column then.
	{file: "scdl/decp/decp-dpa/aggregation/decp-dpa.csv", format: "csv", encoding: "UTF-8", delimiter: ";", rows: 19, columns: 4,
		formats: map[string]string{"siretAcheteur": "float", "urlProfilAcheteur": "url"}},
	{file: "scdl/decp/decp-dpa/exemple-valide.csv", format: "csv", encoding: "UTF-8", delimiter: ";", rows: 1, columns: 4,
		formats: map[string]string{"siretAcheteur": "siret", "urlDCAT": "url"}},
	{file: "scdl/decp/decp-table-schema/exemples/exemple-valide.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 4, columns: 33,
		// a 29-digit "uid" is an identifier, not a number
		formats: map[string]string{"uid": "string", "acheteur_id": "siret", "attributionAvance": "booleen"}},
	{file: "scdl/decp/decp-table-schema/exemples/exemple-valide.xlsx", format: "xlsx", rows: 4, columns: 33,
		formats: map[string]string{"id": "int", "uid": "string", "acheteur_id": "siret"}},
	{file: "scdl/decp/decp-table-schema/fichiers-vides/fichier-vide.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 0, columns: 33,
		formats: map[string]string{"id": "string"}},
	{file: "scdl/marches-publics-draft-v1/exemples/exemple_marche_public.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 4, columns: 26,
		formats: map[string]string{"NOTIFICATION_DATE": "date", "MONTANT": "float"}},
	{file: "scdl/marches-publics-draft-v1/exemples/exemple_marche_public_avec_erreurs.csv", format: "csv", encoding: "UTF-8", delimiter: ",", rows: 4, columns: 26,
		formats: map[string]string{"PUBLICATION_DATE": "string"}},
}

// TestAnalyzeSamples analyzes every real file and checks what a person
// reading it sees; then streams its rows and parses every cell.
func TestAnalyzeSamples(t *testing.T) {
	for _, tc := range sampleCases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(sharedData, tc.file)
			p, err := Analyze(context.Background(), path, filepath.Base(path), DefaultLimits())
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			check := func(what string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("format", p.Format, tc.format)
			check("encoding", p.Encoding, tc.encoding)
			check("delimiter", p.Delimiter, tc.delimiter)
			check("header row", p.HeaderRow, tc.headerRow)
			if tc.columns > 0 || tc.rows > 0 {
				check("rows", p.RowCount, tc.rows)
				check("columns", len(p.Columns), tc.columns)
			}
			byName := map[string]Column{}
			for _, c := range p.Columns {
				byName[c.Name] = c
			}
			for name, want := range tc.formats {
				c, ok := byName[name]
				if !ok {
					t.Errorf("no column %q", name)
					continue
				}
				check("format of "+name, c.Format, want)
			}
			if p.Checksum == "" || p.FileSize == 0 || p.MimeType == "" {
				t.Errorf("checksum %q, size %d, mime %q", p.Checksum, p.FileSize, p.MimeType)
			}
			checkRows(t, path, p)
		})
	}
}

// checkRows streams the rows: as many as RowCount, each as wide as the
// header, every cell parsed without error.
func checkRows(t *testing.T, path string, p *Profile) {
	t.Helper()
	it, err := Rows(context.Background(), path, p, DefaultLimits())
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	defer it.Close()
	var n int64
	for {
		row, err := it.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("row %d: %v", n+1, err)
		}
		n++
		if len(row) != len(p.Columns) {
			t.Fatalf("row %d has %d cells, want %d", n, len(row), len(p.Columns))
		}
		for i, c := range p.Columns {
			if _, err := Parse(c, row[i]); err != nil {
				t.Errorf("row %d: %v", n, err)
			}
		}
	}
	if n != p.RowCount {
		t.Errorf("Rows gave %d rows, Analyze counted %d", n, p.RowCount)
	}
}

// notTables are real files that hold no table.
var notTables = []string{
	"samples/rne-elus/elus-senateurs-2024.resource.json",         // one JSON object
	"scdl/decp/format-commande-publique/exemples/xml/Marche.xml", // XML
}

// otherFiles are real files whose reading is the sheet reader's choice (a
// Table Schema: JSON whose first array of objects may be taken as records).
var otherFiles = []string{
	"samples/lave-linge/schema-durabilite-lave-linge.json",
}

// TestAnalyzeNotTables: files that are no table get a reason, not a panic
// or an empty profile.
func TestAnalyzeNotTables(t *testing.T) {
	for _, file := range notTables {
		_, err := Analyze(context.Background(), filepath.Join(sharedData, file), file, DefaultLimits())
		if !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: err = %v, want ErrUnreadable", file, err)
		}
	}
}

// TestEveryRealFileCovered: every file of samples/ and every CSV or XLSX
// example of scdl/ is in one of the lists above, so a file added to the
// shared data is not silently left out.
func TestEveryRealFileCovered(t *testing.T) {
	known := map[string]bool{}
	for _, c := range sampleCases {
		known[c.file] = true
	}
	for _, f := range append(append([]string{}, notTables...), otherFiles...) {
		known[f] = true
	}
	for _, f := range otherFiles {
		if _, err := Analyze(t.Context(), filepath.Join(sharedData, f), f, DefaultLimits()); err != nil && !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: %v", f, err)
		}
	}
	n := 0
	for _, root := range []string{"samples", "scdl"} {
		err := filepath.WalkDir(filepath.Join(sharedData, root), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(sharedData, path)
			rel = filepath.ToSlash(rel)
			ext := filepath.Ext(rel)
			if root == "scdl" && ext != ".csv" && ext != ".xlsx" && !known[rel] {
				return nil
			}
			n++
			if !known[rel] {
				t.Errorf("%s is not in the sample tests", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 30 {
		t.Fatalf("only %d real files found under %s", n, sharedData)
	}
}
