package tableschema

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCast(t *testing.T) {
	for _, c := range []struct {
		field string // the field descriptor's extra keys
		good  []string
		bad   []string
	}{
		{`"type": "string"`, []string{"", "x", "  é  "}, nil},
		{`"type": "string", "format": "email"`, []string{"a@b.fr", "jean.dupont@mairie-rennes.fr"}, []string{"a@b", "a b@c.fr", "@b.fr"}},
		{`"type": "string", "format": "uri"`, []string{"https://data.gouv.fr/x?y=1", "mailto:a@b.fr"}, []string{"www.rennes.fr", "https://x.fr/ ", "/relative"}},
		{`"type": "string", "format": "uuid"`, []string{"3647a1f3-8909-4aee-b7a4-ed1a8598302f"}, []string{"3647a1f3-8909-4aee-b7a4-ed1a8598302", "not-a-uuid"}},
		{`"type": "integer"`, []string{"0", "-12", "+7", " 42 ", "99999999999999999999"}, []string{"1.0", "1e3", "12a", "--1", "", "1 000", "0x10", "1_000"}},
		{`"type": "integer", "groupChar": " "`, []string{"1 000"}, []string{"1,000"}},
		{`"type": "integer", "bareNumber": false`, []string{"12 €", "n°42"}, []string{"€"}},
		{`"type": "number"`, []string{"1", "-1.5", ".5", "5.", "1e-3", "NaN", "-INF", "45678.80"}, []string{"1,5", "17 142.08", "0x1p-2", "1_0", ".", "e5", "1e"}},
		{`"type": "number", "decimalChar": ",", "groupChar": " "`, []string{"17 142,08", "0,5"}, []string{"1,2,3"}},
		{`"type": "boolean"`, []string{"true", "False", "1", "0", "TRUE"}, []string{"oui", "yes", "t", ""}},
		{`"type": "boolean", "trueValues": ["oui"], "falseValues": ["non"]`, []string{"oui", "non"}, []string{"true", "Oui", "no"}},
		{`"type": "date"`, []string{"2017-10-15", "2024-02-29"}, []string{"2017-1-5", "15/10/2017", "2023-02-29", "2017-10-15T00:00:00"}},
		{`"type": "date", "format": "%Y-%m-%d"`, []string{"2021-12-30"}, []string{"30/12/2021"}},
		{`"type": "date", "format": "fmt:%d/%m/%Y"`, []string{"30/12/2021"}, []string{"2021-12-30"}},
		{`"type": "date", "format": "any"`, []string{"2021-12-30", "30/12/2021", "3/1/2021"}, []string{"demain"}},
		{`"type": "datetime"`, []string{"2020-05-11T14:08:32Z", "2020-05-11T14:08:32+02:00", "2020-05-11T14:08:32.123Z", "2020-05-11T14:08:32"}, []string{"2020-05-11 14:08:32", "2020-05-11"}},
		{`"type": "time"`, []string{"14:08:32"}, []string{"14h08", "25:00:00"}},
		{`"type": "yearmonth"`, []string{"2020-05"}, []string{"2020-13", "05/2020"}},
		{`"type": "year"`, []string{"2016", "0999"}, []string{"16", "20161", "2016.0", "-201"}},
		{`"type": "geopoint"`, []string{"7.48, 48.34", "-1.58,47.97"}, []string{"7.48", "200,1", "a,b", "1,2,3"}},
		{`"type": "geopoint", "format": "array"`, []string{"[7.48710500,48.345345]"}, []string{"[7.4]", "7.48,48.34", `["a","b"]`, "[0,91]"}},
		{`"type": "geopoint", "format": "object"`, []string{`{"lon": 7.4, "lat": 48.3}`}, []string{`{"lon": 7.4}`, "[1,2]"}},
		{`"type": "array"`, []string{`["agriculture biologique"]`, "[]", "[1, null]"}, []string{"agriculture biologique", `{"a":1}`, "null"}},
		{`"type": "object"`, []string{`{"a": [1]}`}, []string{"[1]", "null", "x"}},
		{`"type": "geojson"`, []string{`{"type": "Point", "coordinates": [1, 2]}`}, []string{`{"coordinates": [1, 2]}`}},
		{`"type": "duration"`, []string{"P1Y2M3DT4H5M6S", "PT0.5S", "P3W"}, []string{"P", "P1DT", "1Y", "P1H"}},
		{`"type": "any"`, []string{"", "anything"}, nil},
	} {
		f := parseTestField(t, c.field)
		for _, cell := range c.good {
			_, ok := f.cast.cast(cell)
			assert.True(t, ok, "%s: %q should be accepted", c.field, cell)
		}
		for _, cell := range c.bad {
			_, ok := f.cast.cast(cell)
			assert.False(t, ok, "%s: %q should be refused", c.field, cell)
		}
	}
}

func parseTestField(t *testing.T, extra string) *Field {
	t.Helper()
	s, err := Parse([]byte(fmt.Sprintf(`{"fields": [{"name": "f", %s}]}`, extra)))
	require.NoError(t, err, extra)
	return s.Fields[0]
}

func TestConstraints(t *testing.T) {
	for _, c := range []struct {
		field  string
		good   []string
		broken map[string]string // cell → constraint
	}{
		{`"type": "string", "constraints": {"minLength": 2, "maxLength": 3}`, []string{"ab", "été"},
			map[string]string{"a": "minLength", "abcd": "maxLength"}},
		{`"type": "string", "constraints": {"enum": ["M", "F", "I"]}`, []string{"M", "I"},
			map[string]string{"H": "enum", "m": "enum"}},
		{`"type": "integer", "constraints": {"enum": [1, 2]}`, []string{"1", "+2"},
			map[string]string{"3": "enum"}},
		{`"type": "number", "constraints": {"minimum": 0.01, "maximum": 1}`, []string{"0.01", "1", "0.5"},
			map[string]string{"0": "minimum", "1.5": "maximum"}},
		{`"type": "integer", "constraints": {"exclusiveMinimum": 0, "exclusiveMaximum": 10}`, []string{"1", "9"},
			map[string]string{"0": "exclusiveMinimum", "10": "exclusiveMaximum"}},
		{`"type": "date", "constraints": {"minimum": "2000-01-01"}`, []string{"2000-01-01"},
			map[string]string{"1999-12-31": "minimum"}},
		{`"type": "string", "constraints": {"pattern": "[0-9]{5}"}`, []string{"35238"},
			map[string]string{"3523": "pattern", "352380": "pattern"}},
		{`"type": "array", "constraints": {"maxLength": 1}`, []string{`["a"]`},
			map[string]string{`["a","b"]`: "maxLength"}},
	} {
		f := parseTestField(t, c.field)
		for _, cell := range c.good {
			v, ok := f.cast.cast(cell)
			require.True(t, ok, cell)
			assert.Empty(t, f.check(cell, v, nil), "%s: %q", c.field, cell)
		}
		for cell, want := range c.broken {
			v, ok := f.cast.cast(cell)
			require.True(t, ok, cell)
			got := f.check(cell, v, nil)
			require.Len(t, got, 1, "%s: %q", c.field, cell)
			assert.Equal(t, want, got[0].constraint, "%s: %q", c.field, cell)
			assert.NotEmpty(t, got[0].message)
		}
	}
}

func TestArrayItems(t *testing.T) {
	menus := loadSchema(t, "menus-collectifs/schema.json")
	f := menus.Field("menuPlatTexture")
	check := func(cell string) []violation {
		v, ok := f.cast.cast(cell)
		require.True(t, ok, cell)
		return f.ArrayItem.checkItems(v, f.check(cell, v, nil))
	}
	assert.Empty(t, check(`["sans texture modifiée","haché"]`))
	bad := check(`["haché","moulu",null,3]`)
	require.Len(t, bad, 3)
	assert.Contains(t, bad[0].message, "(moulu)")
	assert.Contains(t, bad[1].message, "L'élément 3 du tableau est vide")
	assert.Equal(t, "arrayItem", bad[2].constraint)
}

func TestValueKey(t *testing.T) {
	var v any
	require.NoError(t, json.Unmarshal([]byte(`[1,"a"]`), &v))
	assert.Equal(t, `[1,"a"]`, valueKey(v))
	assert.Equal(t, "1", valueKey(int64(1)))
	assert.Equal(t, "1.5", valueKey(1.5))
}
