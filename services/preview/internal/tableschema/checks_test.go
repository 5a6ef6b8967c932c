package tableschema

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIdentifiers(t *testing.T) {
	for _, s := range []string{"21060004500392", "210 600 045 00392", "21860194600013", "35600000000048", "35600000000010"} { // La Poste: head office, an establishment
		assert.True(t, validSIRET(s), s)
	}
	for _, s := range []string{"21860194600000", "2186019460001", "2186019460001a", "35600000000049", "35600000000046", "", "32402138500000.0"} {
		assert.False(t, validSIRET(s), s)
	}
	assert.True(t, validSIREN("218601946"))
	assert.True(t, validSIREN("356 000 000"))
	assert.False(t, validSIREN("218601947"))
	assert.False(t, validSIREN("21860194"))
}

// delibHeader and delibRow make a synthetic, valid délibérations row
// (v2.1.5); tests change one cell to break one custom check.
var delibHeader = []string{"COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM",
	"DELIB_OBJET", "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE", "VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR",
	"VOTE_CONTRE", "VOTE_ABSTENTION", "DELIB_URL"}

func delibRow(change map[string]string) []string {
	row := []string{"Ville de Poitiers", "21860194600013", "1DL15494", "2017-10-15", "8.4",
		"Domaines de compétences par thèmes/Aménagement du territoire", "Politique montagne", "2017/2018",
		"Budget annexe déchets", "PREF038", "2017-10-20", "43", "40", "25", "10", "5", "https://data.maville.fr/d/1.pdf"}
	for k, v := range change {
		for i, h := range delibHeader {
			if h == k {
				row[i] = v
			}
		}
	}
	return row
}

// rowsOf returns a next function over rows.
func rowsOf(rows ...[]string) func() ([]string, error) {
	return func() ([]string, error) {
		if len(rows) == 0 {
			return nil, io.EOF
		}
		r := rows[0]
		rows = rows[1:]
		return r, nil
	}
}

func TestCustomChecks(t *testing.T) {
	s := loadSchema(t, "deliberations/schema.json")
	ok, err := s.Validate(context.Background(), delibHeader, rowsOf(delibRow(nil)), Limits{})
	require.NoError(t, err)
	require.True(t, ok.Valid, "%+v", ok.Errors)

	for _, c := range []struct {
		change map[string]string
		check  string
		column string
		says   string
	}{
		{map[string]string{"COLL_SIRET": "21860194600014"}, "french-siret-value", "COLL_SIRET", "SIRET"},
		{map[string]string{"BUDGET_ANNEE": "2018/2017"}, "year-interval-value", "BUDGET_ANNEE", "postérieure à la première (2017/2018)"},
		{map[string]string{"BUDGET_ANNEE": "2018/2018"}, "year-interval-value", "BUDGET_ANNEE", "doivent être différentes"},
		{map[string]string{"BUDGET_NOM": ""}, "cohesive-columns-value", "BUDGET_ANNEE", "toutes renseignées ou toutes vides"},
		{map[string]string{"VOTE_ABSTENTION": "", "VOTE_POUR": "30"}, "cohesive-columns-value", "VOTE_EFFECTIF", "« VOTE_ABSTENTION »"},
		{map[string]string{"PREF_DATE": "2017-10-14"}, "compare-columns-value", "PREF_DATE", "supérieure ou égale à celle de « DELIB_DATE »"},
		{map[string]string{"VOTE_EFFECTIF": "39"}, "compare-columns-value", "VOTE_EFFECTIF", "« VOTE_REEL »"},
		{map[string]string{"VOTE_POUR": "26"}, "sum-columns-value", "VOTE_REEL", "la somme de"},
		{map[string]string{"DELIB_MATIERE_NOM": "Aménagement du territoire"}, "nomenclature-actes-value", "DELIB_MATIERE_NOM", "oblique « / » est manquant"},
		{map[string]string{"DELIB_MATIERE_NOM": "Urbanisme / Permis"}, "nomenclature-actes-value", "DELIB_MATIERE_NOM", "ni précédé ni suivi"},
		{map[string]string{"DELIB_MATIERE_NOM": "'domaines de compétences par thèmes/x"}, "nomenclature-actes-value", "DELIB_MATIERE_NOM", "n'est pas reconnu"},
	} {
		r, err := s.Validate(context.Background(), delibHeader, rowsOf(delibRow(c.change)), Limits{})
		require.NoError(t, err)
		require.False(t, r.Valid, "%v", c.change)
		found := false
		for _, e := range r.Errors {
			if e.Type == c.check && e.FieldName == c.column {
				found = true
				assert.Contains(t, e.Message, c.says, "%v", c.change)
				assert.Equal(t, int64(2), e.RowNumber)
			}
		}
		assert.True(t, found, "%v: want %s on %s, got %+v", c.change, c.check, c.column, r.Errors)
	}

	// What the checks accept besides the base row.
	for _, change := range []map[string]string{
		{"BUDGET_ANNEE": "2017"}, // allow-year-only
		{"BUDGET_ANNEE": "", "BUDGET_NOM": ""},
		{"VOTE_EFFECTIF": "", "VOTE_REEL": "", "VOTE_POUR": "", "VOTE_CONTRE": "", "VOTE_ABSTENTION": ""},
		{"DELIB_MATIERE_NOM": "LIBERTES PUBLIQUES ET POUVOIRS DE POLICE/Police municipale"},
		{"PREF_DATE": ""},
		{"COLL_SIRET": "21860194600013"},
	} {
		r, err := s.Validate(context.Background(), delibHeader, rowsOf(delibRow(change)), Limits{})
		require.NoError(t, err)
		assert.True(t, r.Valid, "%v: %+v", change, r.Errors)
	}
}

func TestOneOfRequired(t *testing.T) {
	s, err := Parse([]byte(`{"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}, {"name": "c", "type": "string"}],
		"custom_checks": [{"name": "one-of-required", "params": {"column1": "a", "column2": "b"}}]}`))
	require.NoError(t, err)
	r, err := s.Validate(context.Background(), []string{"a", "b", "c"},
		rowsOf([]string{"x", "", "1"}, []string{"", "y", "2"}, []string{"", " ", "3"}, []string{"x", "y", "4"}), Limits{})
	require.NoError(t, err)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, Issue{Type: "one-of-required", Tag: "body", RowNumber: 4, FieldNumber: 1, FieldName: "a",
		Message: "Au moins l'une des colonnes « a » ou « b » doit être renseignée"}, r.Errors[0], "a blank cell is empty")
}

// TestChecksSkipBadCells: a cell with a type error gets its type error
// only; the checks reading it say nothing more (frictionless hands them no
// value either).
func TestChecksSkipBadCells(t *testing.T) {
	s := loadSchema(t, "deliberations/schema.json")
	r, err := s.Validate(context.Background(), delibHeader, rowsOf(delibRow(map[string]string{"PREF_DATE": "20/10/2017", "VOTE_POUR": "vingt"})), Limits{})
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"type-error": 2}, r.Stats.ByType)
}

func TestCompareNotComparable(t *testing.T) {
	s, err := Parse([]byte(`{"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}],
		"custom_checks": [{"name": "compare-columns-value", "params": {"column": "a", "op": "<", "column2": "b"}}]}`))
	require.NoError(t, err)
	r, err := s.Validate(context.Background(), []string{"a", "b"}, rowsOf([]string{"12", "abc"}, []string{"abc", "abd"}, []string{"9", "10"}), Limits{})
	require.NoError(t, err)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "La valeur de « a » (12) n'est pas comparable avec celle de « b » (abc)", r.Errors[0].Message)
}
