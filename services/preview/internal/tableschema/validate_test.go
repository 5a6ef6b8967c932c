package tableschema

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func smallSchema(t *testing.T) *Schema {
	t.Helper()
	s, err := Parse([]byte(`{"fields": [
		{"name": "id", "type": "integer", "constraints": {"required": true, "unique": true}},
		{"name": "nom", "type": "string", "constraints": {"required": true}},
		{"name": "note", "type": "string"}]}`))
	require.NoError(t, err)
	return s
}

func validate(t *testing.T, s *Schema, header []string, lim Limits, rows ...[]string) *Report {
	t.Helper()
	r, err := s.Validate(context.Background(), header, rowsOf(rows...), lim)
	require.NoError(t, err)
	assert.Equal(t, r.Stats.Errors == 0, r.Valid)
	return r
}

func types(list []Issue) []string {
	var out []string
	for _, is := range list {
		out = append(out, is.Type)
	}
	return out
}

func TestHeaderStructure(t *testing.T) {
	s := smallSchema(t)
	r := validate(t, s, []string{"\ufeffid", " nom ", "", "extra", "id"}, Limits{})
	assert.Equal(t, []string{"blank-label", "duplicate-label", "extra-label"}, types(r.Errors))
	assert.Equal(t, "L'en-tête de la colonne 3 est vide", r.Errors[0].Message)
	assert.Equal(t, 5, r.Errors[1].FieldNumber)
	// " nom " is nom, with a warning; note is optional and missing.
	assert.Equal(t, []string{"incorrect-label", "missing-label"}, types(r.Warnings))
	assert.Equal(t, 5, r.Stats.Columns)

	r = validate(t, s, []string{"nom", "id", "note"}, Limits{}, []string{"Rennes", "1", ""})
	assert.True(t, r.Valid, "order is a warning")
	require.Len(t, r.Warnings, 1)
	assert.Equal(t, "Colonnes dans le désordre : « id » (colonne 2) vient avant « nom » dans le schéma", r.Warnings[0].Message)

	r = validate(t, s, []string{"ID", "nom"}, Limits{})
	assert.Equal(t, []string{"extra-label", "missing-label"}, types(r.Errors))
	assert.Contains(t, r.Errors[0].Message, "s'agit-il de « id » ?")
}

func TestRowStructure(t *testing.T) {
	s := smallSchema(t)
	r := validate(t, s, []string{"id", "nom", "note"}, Limits{},
		[]string{"1", "a", ""},
		[]string{"", " ", ""},       // blank row: no cell errors for it
		[]string{"2", "b", "", "x"}, // one cell too many
		[]string{"3"},               // two too few
		[]string{"1", "c", ""},      // id repeated
		[]string{"x", "", ""},
	)
	assert.Equal(t, int64(6), r.Stats.Rows)
	assert.Equal(t, []string{"blank-row", "extra-cell", "missing-cell", "missing-cell", "unique-error", "type-error", "constraint-error"}, types(r.Errors))
	assert.Equal(t, int64(3), r.Errors[0].RowNumber, "the header is row 1")
	assert.Equal(t, "x", r.Errors[1].Cell)
	assert.Equal(t, "Valeur déjà présente ligne 2 : les valeurs de la colonne doivent être uniques", r.Errors[4].Message)
	assert.Equal(t, "La valeur n'est pas un nombre entier", r.Errors[5].Message)
	assert.Equal(t, "required", r.Errors[6].Constraint)
	assert.Equal(t, map[string]int64{"blank-row": 1, "extra-cell": 1, "missing-cell": 2, "unique-error": 1, "type-error": 1, "constraint-error": 1}, r.Stats.ByType)
}

func TestMissingValues(t *testing.T) {
	s, err := Parse([]byte(`{"missingValues": ["", "NA"], "fields": [
		{"name": "a", "type": "integer", "constraints": {"required": true}},
		{"name": "b", "type": "integer", "missingValues": ["-"]}]}`))
	require.NoError(t, err)
	r := validate(t, s, []string{"a", "b"}, Limits{}, []string{"NA", "-"}, []string{"1", "NA"})
	assert.Equal(t, []string{"constraint-error", "type-error"}, types(r.Errors), "the field's missingValues replace the schema's")
}

func TestLimits(t *testing.T) {
	s := smallSchema(t)
	many := make([][]string, 50)
	for i := range many {
		many[i] = []string{"x", "n", ""}
	}
	r := validate(t, s, []string{"id", "nom", "note"}, Limits{MaxErrors: 10}, many...)
	assert.Len(t, r.Errors, 10)
	assert.Equal(t, int64(50), r.Stats.Errors)
	assert.True(t, r.Truncated)

	r = validate(t, s, []string{"id", "nom", "note"}, Limits{MaxRows: 20, RowOffset: 2}, many...)
	assert.Equal(t, int64(20), r.Stats.Rows)
	assert.True(t, r.Truncated)
	assert.Equal(t, int64(4), r.Errors[0].RowNumber, "row numbers count the lines before the header")
	assert.Equal(t, "row-limit", r.Warnings[len(r.Warnings)-1].Type)

	long := strings.Repeat("é", 100)
	r = validate(t, s, []string{"id", "nom", "note"}, Limits{MaxCellBytes: 50}, []string{"1", long, ""})
	require.Equal(t, []string{"cell-too-long"}, types(r.Errors))
	assert.Equal(t, "La cellule fait 200 octets, au-delà de la limite de 50", r.Errors[0].Message)

	ids := [][]string{{"1", "a", ""}, {"2", "a", ""}, {"3", "a", ""}, {"1", "a", ""}, {"3", "a", ""}}
	r = validate(t, s, []string{"id", "nom", "note"}, Limits{MaxUniqueValues: 2}, ids...)
	assert.Equal(t, []string{"unique-error"}, types(r.Errors), "1 is remembered, 3 is not")
	assert.Equal(t, "unique-limit", r.Warnings[len(r.Warnings)-1].Type)
}

func TestValidateStops(t *testing.T) {
	s := smallSchema(t)
	boom := errors.New("disk on fire")
	n := 0
	_, err := s.Validate(context.Background(), []string{"id", "nom"}, func() ([]string, error) {
		n++
		if n == 3 {
			return nil, boom
		}
		return []string{"1", "a"}, nil
	}, Limits{})
	assert.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "read row 4")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Validate(ctx, []string{"id", "nom"}, rowsOf([]string{"1", "a"}), Limits{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestClip(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	c := clip(long)
	assert.True(t, strings.HasSuffix(c, "…"))
	assert.LessOrEqual(t, len(c), 203)
	assert.True(t, strings.HasPrefix(long, strings.TrimSuffix(c, "…")))
	assert.Equal(t, "abc", clip("abc"))
}
