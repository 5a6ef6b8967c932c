package tableschema

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseAllSchemas parses every Table Schema under ../shared/data/scdl
// and the lave-linge one under samples (big, enum-heavy, CRLF).
func TestParseAllSchemas(t *testing.T) {
	files := append(tableSchemaFiles(t), filepath.Join(scdlDir, "../samples/lave-linge/schema-durabilite-lave-linge.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		s, err := Parse(data)
		require.NoError(t, err, file)
		assert.NotEmpty(t, s.Fields, file)
	}
}

func TestParseFeatures(t *testing.T) {
	deliberations := loadSchema(t, "deliberations/schema.json")
	assert.Len(t, deliberations.Fields, 17)
	assert.Len(t, deliberations.Checks, 11)
	assert.Empty(t, deliberations.Warnings)

	bal := loadSchema(t, "bal/bal_schema_v1.5.json")
	assert.Equal(t, []string{""}, bal.Field("suffixe").MissingValues, "field-level missingValues")

	menus := loadSchema(t, "menus-collectifs/schema.json")
	texture := menus.Field("menuPlatTexture")
	require.NotNil(t, texture.ArrayItem)
	assert.Contains(t, texture.ArrayItem.Constraints.Enum, "mixé lissé")

	subventions := loadSchema(t, "subventions/schema.json")
	v, ok := subventions.Field("notificationUE").cast.cast("oui")
	assert.True(t, ok)
	assert.Equal(t, true, v)

	draft := loadSchema(t, "marches-publics-draft-v1/schemas/marche_public_SCDL.json")
	assert.Contains(t, draft.Warnings, "champ « MODIF_DUREE_MOIS » : pas de type déclaré, lu comme « string »")
	assert.Contains(t, draft.Warnings, "champ « NATURE_MARCHE » : « enum » hors de « constraints », ignoré")
	assert.Contains(t, draft.Warnings, "champ « MODIF_OBJET » : contrainte « pattern: » inconnue ou non prise en charge, ignorée")
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ schema, says string }{
		{``, "malformed JSON"},
		{`[]`, "must be a JSON object"},
		{`null`, "must be a JSON object"},
		{`{}`, `no "fields"`},
		{`{"fields": []}`, "empty"},
		{`{"fields": {}}`, "array of objects"},
		{`{"fields": [1]}`, "JSON object"},
		{`{"fields": [{"type": "string"}]}`, `no "name"`},
		{`{"fields": [{"name": ""}]}`, "non-empty string"},
		{`{"fields": [{"name": "a"}, {"name": "a"}]}`, "declared twice"},
		{`{"fields": [{"name": "a", "type": "money"}]}`, `unknown type "money"`},
		{`{"fields": [{"name": "a", "type": 3}]}`, "must be a string"},
		{`{"fields": [{"name": "a", "type": "date", "format": "%Q"}]}`, "not supported"},
		{`{"fields": [{"name": "a", "type": "date", "format": "%Y年"}]}`, "literal"},
		{`{"fields": [{"name": "a", "type": "date", "format": "dd/mm"}]}`, "unknown date format"},
		{`{"fields": [{"name": "a", "type": "geopoint", "format": "wkt"}]}`, "unknown geopoint format"},
		{`{"fields": [{"name": "a", "constraints": []}]}`, "must be an object"},
		{`{"fields": [{"name": "a", "constraints": {"required": "yes"}}]}`, `constraint "required"`},
		{`{"fields": [{"name": "a", "constraints": {"maxLength": -1}}]}`, "non-negative"},
		{`{"fields": [{"name": "a", "constraints": {"pattern": "(?=a)"}}]}`, "lookahead"},
		{`{"fields": [{"name": "a", "type": "integer", "constraints": {"enum": ["x"]}}]}`, "not un nombre entier"},
		{`{"fields": [{"name": "a", "type": "date", "constraints": {"minimum": "hier"}}]}`, "is not une date"},
		{`{"fields": [{"name": "a", "type": "boolean", "constraints": {"minimum": "true"}}]}`, "no order"},
		{`{"fields": [{"name": "a", "type": "string", "arrayItem": {}}]}`, "arrayItem"},
		{`{"fields": [{"name": "a", "type": "array", "arrayItem": {"type": "array", "arrayItem": {}}}]}`, "nested"},
		{`{"fields": [{"name": "a", "trueValues": "oui", "type": "boolean"}]}`, "trueValues"},
		{`{"fields": [{"name": "a"}], "missingValues": [1]}`, "missingValues"},
		{`{"fields": [{"name": "a"}], "custom_checks": {}}`, "custom_checks"},
		{`{"fields": [{"name": "a"}], "custom_checks": [{"name": "french-siret-value", "params": {}}]}`, `parameter "column"`},
		{`{"fields": [{"name": "a"}], "custom_checks": [{"name": "compare-columns-value", "params": {"column": "a", "column2": "a", "op": "!="}}]}`, "unknown op"},
	} {
		_, err := Parse([]byte(c.schema))
		require.Error(t, err, c.schema)
		assert.ErrorIs(t, err, ErrInvalidSchema, c.schema)
		assert.Contains(t, err.Error(), c.says, c.schema)
	}
}

// TestParseWarnings: what a schema may say that Relais cannot honour is
// accepted, said in Warnings, and copied into every report.
func TestParseWarnings(t *testing.T) {
	s, err := Parse([]byte(`{"fields": [{"name": "a", "type": "string", "format": "phone", "constraints": {"jsonSchema": {}}}],
		"custom_checks": [{"name": "opening-hours-value", "params": {"column": "a"}}, {"name": "siret", "params": {"column": "b"}}]}`))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"champ « a » : format « phone » inconnu pour une chaîne, ignoré",
		"champ « a » : contrainte « jsonSchema » inconnue ou non prise en charge, ignorée",
		"contrôle personnalisé « opening-hours-value » inconnu, ignoré",
		"contrôle « siret » : la colonne « b » n'est pas dans le schéma",
	}, s.Warnings)
	r, err := s.Validate(context.Background(), []string{"a"}, func() ([]string, error) { return nil, io.EOF }, Limits{})
	require.NoError(t, err)
	assert.True(t, r.Valid)
	assert.Len(t, r.Warnings, 4)
}

func FuzzParse(f *testing.F) {
	for _, file := range tableSchemaFiles(f) {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(data)
	}
	for _, s := range []string{`{}`, `{"fields":[{"name":"a","type":"array","arrayItem":{"type":"date","format":"%d/%m/%Y"}}]}`,
		`{"fields":[{"name":"a","type":"number","constraints":{"minimum":"1","enum":[1,2.5]}}],"missingValues":["NA"]}`,
		`{"fields":[{"name":"a"}],"custom_checks":[{"name":"sum-columns-value","params":{"column":"a","columns":[1]}}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		// A schema that parses must validate anything without panicking.
		header := make([]string, len(s.Fields))
		row := make([]string, len(s.Fields))
		for i, fl := range s.Fields {
			header[i] = fl.Name
			row[i] = fl.Example
		}
		rows := [][]string{row, {"x"}, {}}
		_, err = s.Validate(context.Background(), header, func() ([]string, error) {
			if len(rows) == 0 {
				return nil, io.EOF
			}
			r := rows[0]
			rows = rows[1:]
			return r, nil
		}, Limits{})
		require.NoError(t, err)
	})
}
