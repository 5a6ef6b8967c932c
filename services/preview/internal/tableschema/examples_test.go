package tableschema

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/relais-data/relais/services/preview/internal/sheet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exampleCase is one example file of ../shared/data/scdl with the outcome
// validating it must give. Expectations were written from the files
// themselves; where an example called "valid" is not, the comment gives
// the evidence.
type exampleCase struct {
	schema, file string
	comma        rune
	valid        bool
	rows         int64
	errors       map[string]int64 // error counts by type, all of them
	// some are issues that must be among the report's errors.
	some []Issue
}

var exampleCases = []exampleCase{
	{schema: "subventions/schema.json", file: "subventions/exemples/exemple_valide.csv", comma: ',', valid: true, rows: 29},
	{
		// The official "cell errors" example: a percentage above 1, a
		// French date, short RNA numbers, decimal commas, "no"/"yes" for
		// oui/non, a 9-digit SIRET, "_" in a period, a missing amount, a
		// nature outside the list; and on every row idAttribuant
		// 21860194600000, whose Luhn key is wrong (as are the "…00000"
		// beneficiary SIRETs): validata's french-siret-value flags them too.
		schema: "subventions/schema.json", file: "subventions/exemples/exemple_invalide_erreurs_cellules.csv", comma: ',', rows: 29,
		errors: map[string]int64{"constraint-error": 10, "type-error": 5, "french-siret-value": 49, "one-of-required": 1},
		some: []Issue{
			{Type: "constraint-error", Constraint: "maximum", RowNumber: 2, FieldName: "pourcentageSubvention", Cell: "100"},
			{Type: "type-error", RowNumber: 5, FieldName: "dateConvention", Cell: "05/12/2016"},
			{Type: "constraint-error", Constraint: "pattern", RowNumber: 5, FieldName: "rnaBeneficiaire", Cell: "W3222"},
			{Type: "type-error", RowNumber: 6, FieldName: "montant", Cell: "100000,1"},
			{Type: "type-error", RowNumber: 6, FieldName: "notificationUE", Cell: "no"},
			{Type: "constraint-error", Constraint: "pattern", RowNumber: 7, FieldName: "idAttribuant", Cell: "218601946"},
			{Type: "one-of-required", RowNumber: 9, FieldName: "idBeneficiaire"},
			{Type: "constraint-error", Constraint: "required", RowNumber: 10, FieldName: "montant"},
			{Type: "constraint-error", Constraint: "enum", RowNumber: 16, FieldName: "nature", Cell: "aide en numéraire,aide en nature"},
		},
	},
	{
		// The "column errors" example: the same cells, plus idAttribuant
		// and nomAttribuant swapped (a warning: columns are matched by
		// name), NOM_Beneficiaire for nomBeneficiaire, dispositifAide
		// missing (optional: a warning).
		schema: "subventions/schema.json", file: "subventions/exemples/exemple_invalide_erreurs_colonnes.csv", comma: ',', rows: 29,
		errors: map[string]int64{"extra-label": 1, "missing-label": 1, "constraint-error": 10, "type-error": 5, "french-siret-value": 49, "one-of-required": 1},
		some: []Issue{
			{Type: "extra-label", FieldNumber: 5, FieldName: "NOM_Beneficiaire"},
			{Type: "missing-label", FieldName: "nomBeneficiaire"},
		},
	},
	{
		// The v2.0 column set with notificationUE twice: against 2.1.1 the
		// duplicate is the one error (rnaBeneficiaire and dispositifAide,
		// new and optional in 2.1, are warnings). Latin-1 bytes.
		schema: "subventions/schema.json", file: "subventions/exemple-duplicate-column.csv", comma: ',', rows: 29,
		errors: map[string]int64{"duplicate-label": 1},
		some:   []Issue{{Type: "duplicate-label", FieldNumber: 14, FieldName: "notificationUE"}},
	},
	{schema: "prenoms/schema.json", file: "prenoms/examples/prenoms-nouveaux-nes_exemple-valide.csv", comma: ',', valid: true, rows: 16},
	{
		schema: "prenoms/schema.json", file: "prenoms/examples/prenoms-nouveaux-nes_exemple-invalide.csv", comma: ',', rows: 16,
		errors: map[string]int64{"constraint-error": 7},
		some: []Issue{
			{Type: "constraint-error", Constraint: "pattern", RowNumber: 2, FieldName: "COLL_INSEE", Cell: "3238"},
			{Type: "constraint-error", Constraint: "pattern", RowNumber: 2, FieldName: "ENFANT_PRENOM", Cell: "Ad am"},
			{Type: "constraint-error", Constraint: "pattern", RowNumber: 3, FieldName: "COMMUNE_NOM", Cell: "RENNES"},
			{Type: "constraint-error", Constraint: "enum", RowNumber: 4, FieldName: "ENFANT_SEXE", Cell: "H"},
		},
	},
	{schema: "bal/bal_schema_v1.5.json", file: "bal/examples/bal_simple_v1.5.csv", comma: ';', valid: true, rows: 25},
	{schema: "bal/bal_schema_v1.4.json", file: "bal/examples/bal_simple_v1.4.csv", comma: ';', valid: true, rows: 25},
	{
		// Published as a valid example, but not valid against the v1.3
		// Table Schema: its long/lat have 16 decimals where the pattern
		// allows 7 (48 cells), date_der_maj holds Excel serial numbers
		// such as 45400 on 16 rows, and the four *_bre columns are the BAL
		// specification's language columns, which Table Schema cannot
		// declare (validateur-bal accepts them by name).
		schema: "bal/bal_schema_v1.3.json", file: "bal/examples/bal_multilingue_v1.3.csv", comma: ';', rows: 24,
		errors: map[string]int64{"extra-label": 4, "constraint-error": 48, "type-error": 16},
		some: []Issue{
			{Type: "extra-label", FieldNumber: 21, FieldName: "voie_nom_bre"},
			{Type: "constraint-error", Constraint: "pattern", RowNumber: 2, FieldName: "long", Cell: "-1.5883112383139852"},
			{Type: "type-error", RowNumber: 2, FieldName: "date_der_maj", Cell: "45400"},
		},
	},
	{
		// validateur-bal's "1.5-valid" fixture is valid for that lenient
		// validator, not for the 1.5 Table Schema: it keeps cle_interop
		// (dropped in 1.5), lacks certification_commune (required) and
		// leaves source (required) empty.
		schema: "bal/bal_schema_v1.5.json", file: "bal/validateur-bal-fixtures/1.5-valid.csv", comma: ';', rows: 2,
		errors: map[string]int64{"extra-label": 1, "missing-label": 1, "constraint-error": 2},
		some: []Issue{
			{Type: "extra-label", FieldNumber: 1, FieldName: "cle_interop"},
			{Type: "missing-label", FieldName: "certification_commune"},
			{Type: "constraint-error", Constraint: "required", RowNumber: 2, FieldName: "source"},
		},
	},
	{
		// Not a BAL at all: both columns unknown, the 13 required ones missing.
		schema: "bal/bal_schema_v1.5.json", file: "bal/validateur-bal-fixtures/junk.ascii.csv", comma: ',', rows: 6,
		errors: map[string]int64{"extra-label": 2, "missing-label": 13},
	},
	{schema: "decp/decp-dpa/schema.json", file: "decp/decp-dpa/exemple-valide.csv", comma: ';', valid: true, rows: 1},
	{
		// The real aggregated file: header typo coordonnnées, an extra
		// source column, a URL with a trailing space, a SIRET in Excel's
		// scientific notation (2,10104E+13).
		schema: "decp/decp-dpa/schema.json", file: "decp/decp-dpa/aggregation/decp-dpa.csv", comma: ';', rows: 19,
		errors: map[string]int64{"extra-label": 2, "missing-label": 1, "type-error": 1, "constraint-error": 1, "french-siret-value": 1},
		some: []Issue{
			{Type: "extra-label", FieldNumber: 3, FieldName: "coordonnnées"},
			{Type: "missing-label", FieldName: "coordonnees"},
			{Type: "type-error", RowNumber: 2, FieldName: "urlProfilAcheteur", Cell: "https://www.marches-securises.fr/perso/La-Ruche-Habitat_45/ "},
			{Type: "constraint-error", Constraint: "pattern", RowNumber: 16, FieldName: "siretAcheteur", Cell: "2,10104E+13"},
		},
	},
	{schema: "decp/decp-table-schema/schema.json", file: "decp/decp-table-schema/exemples/exemple-valide.csv", comma: ',', valid: true, rows: 4},
	{schema: "decp/decp-table-schema/schema.json", file: "decp/decp-table-schema/fichiers-vides/fichier-vide.csv", comma: ',', valid: true, rows: 0},
	{schema: "irve-statique/schema-statique.json", file: "irve-statique/exemple-valide-statique.csv", comma: ',', valid: true, rows: 2},
	{schema: "marches-publics-draft-v1/schemas/marche_public_SCDL.json", file: "marches-publics-draft-v1/exemples/exemple_marche_public.csv", comma: ',', valid: true, rows: 4},
	{
		// The draft's example "with errors" changes 17 cells; 13 break a
		// constraint of the draft. The other four (a 16-digit TITULAIRES_ID
		// and MODIF_TITULAIRES_ID, a 4-digit LIEU_EXEC_CODE, a backquote in
		// MARCHE_OBJET) break none: those fields have no pattern, or one
		// behind the draft's mistyped "pattern:" key.
		schema: "marches-publics-draft-v1/schemas/marche_public_SCDL.json", file: "marches-publics-draft-v1/exemples/exemple_marche_public_avec_erreurs.csv", comma: ',', rows: 4,
		errors: map[string]int64{"constraint-error": 13},
		some: []Issue{
			{Type: "constraint-error", Constraint: "pattern", RowNumber: 3, FieldName: "ACHETEURS_NOM", Cell: "Conseil Régional de Bret$gne"},
			{Type: "constraint-error", Constraint: "required", RowNumber: 4, FieldName: "TITULAIRES_DENOMINATION"},
		},
	},
}

func TestExamples(t *testing.T) {
	for _, c := range exampleCases {
		t.Run(c.file, func(t *testing.T) {
			s := loadSchema(t, c.schema)
			header, next := readTable(t, c.file, c.comma)
			r, err := s.Validate(context.Background(), header, next, Limits{})
			require.NoError(t, err)
			checkReport(t, c, r)
		})
	}
}

func checkReport(t *testing.T, c exampleCase, r *Report) {
	t.Helper()
	assert.Equal(t, c.valid, r.Valid, "valid")
	assert.Equal(t, c.rows, r.Stats.Rows, "rows")
	want := c.errors
	if want == nil {
		want = map[string]int64{}
	}
	assert.Equal(t, want, r.Stats.ByType, "errors by type")
	assert.Len(t, r.Errors, int(r.Stats.Errors), "every error listed")
	for _, w := range c.some {
		assert.True(t, hasIssue(r.Errors, w), "missing error %+v", w)
	}
	for _, e := range r.Errors {
		assert.NotEmpty(t, e.Message, "%+v", e)
	}
}

// hasIssue reports whether list holds an issue with want's non-zero fields.
func hasIssue(list []Issue, want Issue) bool {
	for _, is := range list {
		if is.Type == want.Type &&
			(want.Constraint == "" || is.Constraint == want.Constraint) &&
			(want.RowNumber == 0 || is.RowNumber == want.RowNumber) &&
			(want.FieldNumber == 0 || is.FieldNumber == want.FieldNumber) &&
			(want.FieldName == "" || is.FieldName == want.FieldName) &&
			(want.Cell == "" || is.Cell == want.Cell) {
			return true
		}
	}
	return false
}

// TestExampleXLSX validates DECP's XLSX example, read by the sheet
// package, against the same schema as its CSV twin, with the same outcome.
func TestExampleXLSX(t *testing.T) {
	s := loadSchema(t, "decp/decp-table-schema/schema.json")
	rows, err := sheet.Open(context.Background(), filepath.Join(scdlDir, "decp/decp-table-schema/exemples/exemple-valide.xlsx"), "xlsx", sheet.Limits{})
	require.NoError(t, err)
	defer rows.Close()
	header, err := rows.Next()
	require.NoError(t, err)
	next := func() ([]string, error) {
		row, err := rows.Next()
		if err != nil {
			return nil, err
		}
		// The workbook reader drops trailing empty cells; they are empty
		// values, not missing ones.
		for len(row) < len(header) {
			row = append(row, "")
		}
		return row, nil
	}
	r, err := s.Validate(context.Background(), header, next, Limits{})
	require.NoError(t, err)
	for _, e := range r.Errors {
		t.Logf("%+v", e)
	}
	checkReport(t, exampleCase{valid: true, rows: 4}, r)
	_, err = rows.Next()
	assert.ErrorIs(t, err, io.EOF)
}
