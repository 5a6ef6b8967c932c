package tabular

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/relais-data/relais/pkg/sqldb"
)

const base = "https://tabular.example.org"

// sampleColumns and sampleRows: one column of each type, with NULLs, and
// values whose text order differs from their typed order (9 < 10, dates).
var sampleColumns = []Column{
	{Name: "commune", Type: TypeString},
	{Name: "population", Type: TypeInt},
	{Name: "surface", Type: TypeFloat},
	{Name: "littoral", Type: TypeBool},
	{Name: "date", Type: TypeDate},
	{Name: "maj", Type: TypeDatetime},
	{Name: "extra", Type: TypeJSON},
}

func sampleRows() [][]any {
	return [][]any{
		{"Brest", int64(139926), 49.51, true, "2021-01-01", "2024-05-31T14:30:00Z", `{"b": 1, "a": [true, null]}`},
		{"Quimper", int64(63283), 84.45, false, "2020-12-31", "2024-05-31T16:30:00+02:00", nil},
		{"Île-de-Sein", int64(9), 0.58, true, nil, "2023-01-01T00:00:00.5Z", `{}`},
		{"Morlaix", int64(10), nil, nil, "2021-06-15", nil, `[1, 2]`},
		{nil, nil, 12.0, false, "2019-02-28", "2022-12-31T23:59:59Z", nil},
	}
}

func rowsOf(rows [][]any) func() ([]any, error) {
	i := 0
	return func() ([]any, error) {
		if i == len(rows) {
			return nil, io.EOF
		}
		i++
		return rows[i-1], nil
	}
}

func loadSample(t testing.TB, s *Store, rid string) {
	t.Helper()
	n, err := s.LoadTable(context.Background(), Table{
		RID: rid, Columns: sampleColumns, Profile: json.RawMessage(`{"header": ["commune"], "total_lines": 5}`),
		URL: "https://example.org/communes.csv", DatasetID: "5d13a8b6634f41070a43dff3",
	}, rowsOf(sampleRows()))
	require.NoError(t, err)
	require.EqualValues(t, 5, n)
}

// data runs a data query and decodes its body.
func data(t *testing.T, s *Store, rid, rawQuery string) map[string]any {
	t.Helper()
	body, err := s.DataQuery(context.Background(), rid, rawQuery, base)
	require.NoError(t, err, rawQuery)
	var v map[string]any
	require.NoError(t, json.Unmarshal(body, &v), string(body))
	return v
}

// column returns the values of key in the rows of a data body.
func column(body map[string]any, key string) []any {
	var out []any
	for _, r := range body["data"].([]any) {
		out = append(out, r.(map[string]any)[key])
	}
	return out
}

func clientError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	require.True(t, errors.As(err, &e), "want *Error, got %v", err)
	return e
}

func TestStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *sqldb.DB, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{RetiredGrace: -1})
		loadSample(t, s, "r1")

		t.Run("default page, exact body", func(t *testing.T) {
			body, err := s.DataQuery(ctx, "r1", "page_size=2", base)
			require.NoError(t, err)
			want := `{"data": [` +
				`{"__id": 1, "commune": "Brest", "population": 139926, "surface": 49.51, "littoral": true, "date": "2021-01-01", "maj": "2024-05-31T14:30:00Z", "extra": {"b": 1, "a": [true, null]}}, ` +
				`{"__id": 2, "commune": "Quimper", "population": 63283, "surface": 84.45, "littoral": false, "date": "2020-12-31", "maj": "2024-05-31T14:30:00Z", "extra": null}], ` +
				`"links": {"profile": "https://tabular.example.org/api/resources/r1/profile/", "swagger": "https://tabular.example.org/api/resources/r1/swagger/", ` +
				`"next": "https://tabular.example.org/api/resources/r1/data/?page=2&page_size=2", "prev": null}, ` +
				`"meta": {"page": 1, "page_size": 2, "total": 5}}`
			require.Equal(t, want, string(body))
		})

		t.Run("non-ASCII escaped like Python", func(t *testing.T) {
			body, err := s.DataQuery(ctx, "r1", "__id__exact=3&columns=commune,surface", base)
			require.NoError(t, err)
			require.Contains(t, string(body), `[{"commune": "\u00cele-de-Sein", "surface": 0.58}]`)
		})

		t.Run("pages and links", func(t *testing.T) {
			v := data(t, s, "r1", "population__sort=asc&page=2&page_size=2")
			require.Equal(t, []any{10.0, 63283.0}, column(v, "population"))
			links := v["links"].(map[string]any)
			require.Equal(t, base+"/api/resources/r1/data/?population__sort=asc&page=3&page_size=2", links["next"])
			require.Equal(t, base+"/api/resources/r1/data/?population__sort=asc&page=1&page_size=2", links["prev"])
			v = data(t, s, "r1", "page=3&page_size=2")
			require.Nil(t, v["links"].(map[string]any)["next"])
			require.Equal(t, map[string]any{"page": 3.0, "page_size": 2.0, "total": 5.0}, v["meta"])
		})

		t.Run("typed sorts", func(t *testing.T) {
			// Numeric (9 < 10), NULL first ascending, ties broken by __id.
			require.Equal(t, []any{nil, 9.0, 10.0, 63283.0, 139926.0}, column(data(t, s, "r1", "population__sort=asc"), "population"))
			require.Equal(t, []any{139926.0, 63283.0, 10.0, 9.0, nil}, column(data(t, s, "r1", "population__sort=desc"), "population"))
			require.Equal(t, []any{nil, "2019-02-28", "2020-12-31", "2021-01-01", "2021-06-15"}, column(data(t, s, "r1", "date__sort=asc"), "date"))
			// Chronological across time zones: 16:30+02:00 is 14:30Z, tied with Brest.
			require.Equal(t, []any{2.0, 1.0, 3.0, 5.0, 4.0}, column(data(t, s, "r1", "maj__sort=desc&__id__sort=desc"), "__id"))
			require.Equal(t, []any{4.0, 2.0, 5.0, 1.0, 3.0}, column(data(t, s, "r1", "littoral__sort=asc&surface__sort=desc"), "__id"))
		})

		t.Run("filters", func(t *testing.T) {
			ids := func(q string) []any { return column(data(t, s, "r1", q), "__id") }
			require.Equal(t, []any{1.0}, ids("commune__exact=Brest"))
			require.Equal(t, []any{2.0, 3.0, 4.0}, ids("commune__differs=Brest"))
			require.Equal(t, []any{5.0}, ids("commune__exact=null"))
			require.Equal(t, []any{1.0, 2.0, 3.0, 4.0}, ids("commune__differs=null"))
			require.Equal(t, []any{2.0}, ids("commune__contains=QUIM"), "case-insensitive")
			require.Equal(t, []any{}, nonNil(ids("commune__contains=%25")), "LIKE wildcards are literal")
			require.Equal(t, []any{1.0, 4.0}, ids("commune__in=Morlaix,Brest"))
			require.Equal(t, []any{3.0, 4.0}, ids("population__less=10"))
			require.Equal(t, []any{3.0}, ids("population__strictly_less=10"))
			require.Equal(t, []any{3.0}, ids("population__less=9.5"))
			require.Equal(t, []any{4.0}, ids("population__greater=9.5&population__strictly_less=11"))
			require.Equal(t, []any{}, nonNil(ids("population__exact=9.5")))
			require.Equal(t, []any{1.0, 2.0}, ids("population__strictly_greater=10"))
			require.Equal(t, []any{1.0, 2.0}, ids("population__greater=1e4"))
			require.Equal(t, []any{3.0, 5.0}, ids("surface__less=12"))
			require.Equal(t, []any{2.0}, ids("surface__strictly_greater=50.5"))
			require.Equal(t, []any{1.0, 3.0}, ids("littoral__exact=true"))
			require.Equal(t, []any{2.0, 5.0}, ids("littoral__differs=true"))
			require.Equal(t, []any{4.0}, ids("littoral__exact=null"))
			require.Equal(t, []any{1.0, 4.0}, ids("date__greater=2021-01-01"))
			require.Equal(t, []any{1.0, 4.0}, ids("date__contains=2021"))
			require.Equal(t, []any{1.0, 2.0}, ids("maj__exact=2024-05-31T14:30:00Z"))
			require.Equal(t, []any{1.0, 2.0}, ids("maj__contains=2024-05"))
			require.Equal(t, []any{1.0, 2.0, 3.0}, ids("maj__greater=2023-01-01"))
			require.Equal(t, []any{5.0}, ids("maj__strictly_less=2023-01-01T00:00:00"))
			require.Equal(t, []any{4.0}, ids("extra__contains=%5B1"))
			require.Equal(t, []any{1.0, 2.0, 3.0}, ids("__id__in=1,2,3,3.5"))
			require.Equal(t, []any{4.0, 5.0}, ids("__id__notin=1,2,3,3.5"))
			require.Equal(t, []any{1.0, 2.0, 3.0, 4.0, 5.0}, ids("__id__notin=3.5"))
			require.Equal(t, []any{}, nonNil(ids("__id__in=3.5")))
			require.Equal(t, []any{1.0, 2.0, 4.0}, ids("commune__notcontains=sein"))
			require.Equal(t, []any{2.0, 3.0}, ids("commune__notin=Brest,Morlaix"))
			require.Equal(t, []any{4.0}, ids("surface__isnull"))
			require.Equal(t, []any{1.0, 2.0, 3.0, 5.0}, ids("surface__isnotnull="))
			v := data(t, s, "r1", "littoral__exact=false&page_size=1")
			require.EqualValues(t, 2, v["meta"].(map[string]any)["total"])
		})

		t.Run("columns", func(t *testing.T) {
			v := data(t, s, "r1", "columns=surface,%22commune%22,surface&page_size=1")
			require.Equal(t, []any{map[string]any{"surface": 49.51, "commune": "Brest"}}, v["data"])
		})

		t.Run("aggregates", func(t *testing.T) {
			body, err := s.DataQuery(ctx, "r1", "littoral__groupby&population__count&population__sum&surface__avg&date__max&population__sum__sort=desc", base)
			require.NoError(t, err)
			want := `{"data": [` +
				`{"littoral": true, "population__count": 2, "population__sum": 139935, "surface__avg": 25.044999999999998, "date__max": "2021-01-01"}, ` +
				`{"littoral": false, "population__count": 1, "population__sum": 63283, "surface__avg": 48.225, "date__max": "2020-12-31"}, ` +
				`{"littoral": null, "population__count": 1, "population__sum": 10, "surface__avg": null, "date__max": "2021-06-15"}], ` +
				`"links": {"profile": "https://tabular.example.org/api/resources/r1/profile/", "swagger": "https://tabular.example.org/api/resources/r1/swagger/", "next": null, "prev": null}, ` +
				`"meta": {"page": 1, "page_size": 20}}`
			require.Equal(t, want, string(body))
			// Through url.Values, "x__groupby=".
			body, err = s.Data(ctx, "r1", url.Values{"littoral__groupby": {""}, "__id__count": {""}, "page_size": {"2"}}, base)
			require.NoError(t, err)
			var v map[string]any
			require.NoError(t, json.Unmarshal(body, &v))
			require.Equal(t, []any{nil, false}, column(v, "littoral"), "groups ordered, NULL first")
			require.Equal(t, []any{1.0, 2.0}, column(v, "__id__count"))
			require.NotNil(t, v["links"].(map[string]any)["next"], "a full page of groups may have a next one")
		})

		t.Run("errors", func(t *testing.T) {
			cases := map[string]string{
				"limit=1":                             `{"errors": [{"code": null, "title": "Invalid query string", "detail": "Malformed query: argument 'limit=1' could not be parsed"}]}`,
				"page_size=1001":                      `{"errors": [{"code": null, "title": "Invalid query string", "detail": "Page size exceeds allowed maximum: 1000"}]}`,
				"TESTCOLUM_NAME__EXACT=BIDULEpage=1":  `{"errors": [{"code": null, "title": "Invalid query string", "detail": "column 'TESTCOLUM_NAME' does not exist"}]}`,
				"population__exact=abc":               `{"errors": [{"code": null, "title": "Invalid query string", "detail": "column 'population': 'abc' is not a number"}]}`,
				"commune__sort=up":                    `{"errors": [{"code": null, "title": "Invalid query string", "detail": "commune__sort must be asc or desc, not 'up'"}]}`,
				"population__contains=1":              `{"errors": [{"code": null, "title": "Invalid query string", "detail": "operator 'contains' does not apply to column 'population' of type int"}]}`,
				"columns=commune&littoral__groupby":   `{"errors": [{"code": null, "title": "Invalid query string", "detail": "Malformed query: the argument ` + "`columns`" + ` cannot be set alongside aggregators"}]}`,
				"page=0":                              `{"errors": [{"code": null, "title": "Invalid query string", "detail": "page must be a positive integer, not '0'"}]}`,
				"commune__exact":                      `{"errors": [{"code": null, "title": "Invalid query string", "detail": "Malformed query: argument 'commune__exact' could not be parsed"}]}`,
				"littoral__groupby&commune__sort=asc": `{"errors": [{"code": null, "title": "Invalid query string", "detail": "cannot sort on 'commune': with aggregators, sort on a __groupby column or an aggregate (e.g. col__count__sort=desc)"}]}`,
			}
			for q, want := range cases {
				_, err := s.DataQuery(ctx, "r1", q, base)
				e := clientError(t, err)
				require.Equal(t, 400, e.Status, q)
				require.Equal(t, want, string(e.Body), q)
				require.Equal(t, "application/json", e.ContentType)
			}
			for _, call := range []func() error{
				func() error { _, err := s.DataQuery(ctx, "nope", "", base); return err },
				func() error { _, err := s.Resource(ctx, "nope", base); return err },
				func() error { _, err := s.Profile(ctx, "nope"); return err },
				func() error { return s.Export(ctx, "nope", nil, "csv", io.Discard) },
			} {
				e := clientError(t, call())
				require.Equal(t, 404, e.Status)
				require.Equal(t, "404: Not Found", string(e.Body))
			}
		})

		t.Run("resource and profile", func(t *testing.T) {
			body, err := s.Resource(ctx, "r1", base+"/")
			require.NoError(t, err)
			require.Regexp(t, `^\{"created_at": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", "url": "https://example.org/communes.csv", "links": \[`+
				`\{"href": "https://tabular.example.org/api/resources/r1/profile/", "type": "GET", "rel": "profile"\}, `+
				`\{"href": "https://tabular.example.org/api/resources/r1/data/", "type": "GET", "rel": "data"\}, `+
				`\{"href": "https://tabular.example.org/api/resources/r1/swagger/", "type": "GET", "rel": "swagger"\}\]\}$`, string(body))
			body, err = s.Profile(ctx, "r1")
			require.NoError(t, err)
			require.Equal(t, `{"profile": {"header": ["commune"], "total_lines": 5}, "deleted_at": null, "dataset_id": "5d13a8b6634f41070a43dff3", "indexes": null}`, string(body))
		})

		t.Run("swagger", func(t *testing.T) {
			body, err := s.Swagger(ctx, "r1")
			require.NoError(t, err)
			var doc struct {
				OpenAPI string `yaml:"openapi"`
				Paths   map[string]struct {
					Parameters []struct {
						Name            string
						AllowEmptyValue bool `yaml:"allowEmptyValue"`
					}
				}
			}
			require.NoError(t, yaml.Unmarshal(body, &doc), string(body))
			require.Equal(t, "3.0.3", doc.OpenAPI)
			require.Len(t, doc.Paths, 3)
			params := map[string]bool{}
			for _, p := range doc.Paths["/api/resources/r1/data/csv/"].Parameters {
				params[p.Name] = p.AllowEmptyValue
			}
			for name, valueless := range map[string]bool{
				"page": false, "columns": false, "commune__contains": false, "population__sum": true,
				"population__strictly_greater": false, "littoral__isnull": true, "maj__sort": false,
			} {
				v, ok := params[name]
				require.True(t, ok, name)
				require.Equal(t, valueless, v, name)
			}
			for _, name := range []string{"population__contains", "littoral__less", "extra__sort"} {
				require.NotContains(t, params, name)
			}
			_, err = s.Swagger(ctx, "nope")
			require.Equal(t, 404, clientError(t, err).Status)
		})

		t.Run("exports", func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, s.Export(ctx, "r1", url.Values{"population__greater": {"10"}, "page_size": {"1"}}, "csv", &b))
			require.Equal(t, "__id,commune,population,surface,littoral,date,maj,extra\n"+
				"1,Brest,139926,49.51,true,2021-01-01,2024-05-31T14:30:00Z,\"{\"\"b\"\": 1, \"\"a\"\": [true, null]}\"\n"+
				"2,Quimper,63283,84.45,false,2020-12-31,2024-05-31T14:30:00Z,\n"+
				"4,Morlaix,10,,,2021-06-15,,\"[1, 2]\"\n", b.String())
			b.Reset()
			require.NoError(t, s.ExportQuery(ctx, "r1", "columns=commune,surface&surface__sort=desc", "json", &b))
			var rows []map[string]any
			require.NoError(t, json.Unmarshal(b.Bytes(), &rows), b.String())
			require.Equal(t, []map[string]any{
				{"commune": "Quimper", "surface": 84.45}, {"commune": "Brest", "surface": 49.51},
				{"commune": nil, "surface": 12.0}, {"commune": "Île-de-Sein", "surface": 0.58},
				{"commune": "Morlaix", "surface": nil},
			}, rows)
			e := clientError(t, s.ExportQuery(ctx, "r1", "nope__exact=1", "csv", io.Discard))
			require.Equal(t, 400, e.Status)
		})

		t.Run("datetimes without zone stay naive", func(t *testing.T) {
			cols := []Column{{Name: "naive", Type: TypeDatetime}, {Name: "mixed", Type: TypeDatetime}}
			_, err := s.Load(ctx, "naive", cols, nil, rowsOf([][]any{
				{"2026-02-22T04:13:34.48", "2026-02-22T04:13:34"},
				{"2026-02-22T04:13:35", "2026-02-22T05:13:34+02:00"},
			}))
			require.NoError(t, err)
			body, err := s.DataQuery(ctx, "naive", "naive__greater=2026-02-22T04:13:34.5&columns=naive,mixed", base)
			require.NoError(t, err)
			require.Contains(t, string(body), `"data": [{"naive": "2026-02-22T04:13:35", "mixed": "2026-02-22T03:13:34Z"}]`)
			var b bytes.Buffer
			require.NoError(t, s.ExportQuery(ctx, "naive", "naive__sort=asc", "csv", &b))
			require.Equal(t, "__id,naive,mixed\n1,2026-02-22T04:13:34.48,2026-02-22T04:13:34Z\n2,2026-02-22T04:13:35,2026-02-22T03:13:34Z\n", b.String())
		})

		t.Run("reload swaps, drop removes", func(t *testing.T) {
			loadSample(t, s, "r2")
			before := dataTables(t, s)
			n, err := s.Load(ctx, "r2", []Column{{Name: "x", Type: TypeInt}}, nil, rowsOf([][]any{{int64(7)}}))
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
			require.Equal(t, []any{7.0}, column(data(t, s, "r2", ""), "x"))
			require.Len(t, dataTables(t, s), len(before), "the old table is dropped")
			require.NoError(t, s.Drop(ctx, "r2"))
			require.Len(t, dataTables(t, s), len(before)-1)
			_, err = s.DataQuery(ctx, "r2", "", base)
			require.Equal(t, 404, clientError(t, err).Status)
			require.NoError(t, s.Drop(ctx, "r2"), "dropping twice is fine")
		})

		t.Run("a failed load leaves the old table and nothing else", func(t *testing.T) {
			before := dataTables(t, s)
			bad := [][]any{{"x", int64(1), 1.0, true, nil, nil, nil}, {"y", "not a number", 1.0, true, nil, nil, nil}}
			_, err := s.Load(ctx, "r1", sampleColumns, nil, rowsOf(bad))
			require.ErrorContains(t, err, `row 2, column "population"`)
			require.Equal(t, before, dataTables(t, s))
			require.EqualValues(t, 5, data(t, s, "r1", "")["meta"].(map[string]any)["total"])
			_, err = s.Load(ctx, "r3", []Column{{Name: "a", Type: TypeInt}, {Name: "a", Type: TypeString}}, nil, rowsOf(nil))
			require.ErrorContains(t, err, "used twice")
			_, err = s.Load(ctx, "r3", []Column{{Name: "a", Type: "money"}}, nil, rowsOf(nil))
			require.ErrorContains(t, err, "unknown type")
		})
	})
}

func nonNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}
