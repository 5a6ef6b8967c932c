package tabular

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// swaggerOperators are api-tabular's OPERATORS_DESCRIPTIONS, in its order:
// the parameter's name and description ("{}" is the column).
var swaggerOperators = []struct {
	op, description string
	valueless       bool // an aggregator, isnull or isnotnull
}{
	{opExact, "Exact match in column: {} ({}__exact=value)", false},
	{opDiffers, "Differs from in column: {} ({}__differs=value)", false},
	{opIsNull, "Is `NULL` in column: {} ({}__isnull)", true},
	{opIsNotNull, "Is not `NULL` in column: {} ({}__isnotnull)", true},
	{opContains, "String contains in column: {} ({}__contains=value)", false},
	{opNotContains, "String does not contain in column: {} ({}__notcontains=value)", false},
	{opIn, "Value in list in column: {} ({}__in=value1,value2,...)", false},
	{opNotIn, "Value not in list in column: {} ({}__notin=value1,value2,...)", false},
	{opGroupBy, "Performs `group by values` operation in column: {}", true},
	{opCount, "Performs `count values` operation in column: {}", true},
	{opAvg, "Performs `mean` operation in column: {}", true},
	{opMin, "Performs `minimum` operation in column: {}", true},
	{opMax, "Performs `maximum` operation in column: {}", true},
	{opSum, "Performs `sum` operation in column: {}", true},
}

// Swagger answers /api/resources/{rid}/swagger/: the OpenAPI 3 document
// (YAML) of the resource's data endpoints, listing every argument its
// columns accept, as api-tabular's build_swagger_file writes it.
func (s *Store) Swagger(ctx context.Context, rid string) ([]byte, error) {
	t, err := s.lookup(ctx, rid)
	if err != nil {
		return nil, err
	}
	params := []any{
		param("page", "Specific page (page=value)", map[string]any{"type": "integer"}, "example", 1),
		param("page_size", "Number of results per page (page_size=value)", map[string]any{"type": "integer"}, "example", DefaultPageSize),
		param("columns", "Columns to keep in the result (columns=column1,column3,...)", map[string]any{"type": "string"}, "style", "form", "explode", false),
	}
	props := map[string]any{}
	for i, c := range t.cols {
		for _, o := range swaggerOperators {
			if o.op != opIsNull && o.op != opIsNotNull && !operations[c.Type][o.op] {
				continue
			}
			desc := strings.ReplaceAll(o.description, "{}", c.Name)
			if o.valueless {
				params = append(params, param(c.Name+"__"+o.op, desc, map[string]any{"type": "boolean"}, "allowEmptyValue", true))
			} else {
				params = append(params, param(c.Name+"__"+o.op, desc, map[string]any{"type": "string"}))
			}
		}
		if operations[c.Type][opSort] {
			params = append(params, param(c.Name+"__sort", fmt.Sprintf("Sort ascending or descending on column: %s (%s__sort=asc or %s__sort=desc)", c.Name, c.Name, c.Name), map[string]any{"type": "string"}))
		}
		if operations[c.Type]["compare"] {
			for _, cmp := range []struct{ op, text string }{
				{opLess, "Less than"}, {opGreater, "Greater than"},
				{opStrictlyLess, "Strictly less than"}, {opStrictlyGreater, "Strictly greater than"},
			} {
				params = append(params, param(c.Name+"__"+cmp.op, fmt.Sprintf("%s in column: %s (%s__%s=value)", cmp.text, c.Name, c.Name, cmp.op), map[string]any{"type": "string"}))
			}
		}
		typ := map[string]string{TypeBool: "boolean", TypeInt: "integer", TypeFloat: "number"}[t.colType(i)]
		if typ == "" {
			typ = "string"
		}
		props[c.Name] = map[string]any{"type": typ}
	}
	responses := func(ok map[string]any) map[string]any {
		return map[string]any{
			"200": ok,
			"400": map[string]any{"description": "Invalid query string"},
			"404": map[string]any{"description": "Resource not found"},
		}
	}
	path := "/api/resources/" + rid + "/data/"
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "Tabular API",
			"description": "Retrieve data for a specified resource with optional filtering and sorting.",
			"version":     "1.0.0",
		},
		"tags": []any{map[string]any{"name": "Data retrieval", "description": "Retrieve data for a specified resource"}},
		"paths": map[string]any{
			path: map[string]any{"parameters": params, "get": map[string]any{
				"description": "Returns resource data based on ID as JSON, each row is a dictionnary.",
				"summary":     "Get resource data from its ID",
				"operationId": "getResourceDataFromId",
				"responses": responses(map[string]any{"description": "successful operation", "content": map[string]any{
					"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/ResourceData"}},
				}}),
			}},
			path + "csv/": map[string]any{"parameters": params, "get": map[string]any{
				"description": "Returns resource data based on ID as a CSV file.",
				"summary":     "Get resource data from its ID in CSV format",
				"operationId": "getResourceDataFromIdCSV",
				"responses":   responses(map[string]any{"description": "successful operation", "content": map[string]any{"text/csv": map[string]any{}}}),
			}},
			path + "json/": map[string]any{"parameters": params, "get": map[string]any{
				"description": "Returns resource data based on ID as a JSON file.",
				"summary":     "Get resource data from its ID in JSON format",
				"operationId": "getResourceDataFromIdJSON",
				"responses":   responses(map[string]any{"description": "successful operation", "content": map[string]any{"application/json": map[string]any{}}}),
			}},
		},
		"components": map[string]any{"schemas": map[string]any{
			"ResourceData": map[string]any{"type": "object", "properties": map[string]any{
				"data": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/Resource"}},
				"link": map[string]any{"type": "object", "properties": map[string]any{
					"profile": map[string]any{"description": "Link to the profile endpoint of the resource", "type": "string"},
					"next":    map[string]any{"description": "Pagination link to the next page of the resource data", "type": "string"},
					"prev":    map[string]any{"description": "Pagination link to the previous page of the resource data", "type": "string"},
				}},
				"meta": map[string]any{"type": "object", "properties": map[string]any{
					"page":      map[string]any{"description": "Current page", "type": "integer"},
					"page_size": map[string]any{"description": "Number of results per page", "type": "integer"},
					"total":     map[string]any{"description": "Total number of results", "type": "integer"},
				}},
			}},
			"Resource": map[string]any{"type": "object", "properties": props},
		}},
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("swagger of resource %s: %w", rid, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("swagger of resource %s: %w", rid, err)
	}
	return b.Bytes(), nil
}

// param is an OpenAPI query parameter; extra holds more key/value pairs.
func param(name, description string, schema map[string]any, extra ...any) map[string]any {
	p := map[string]any{"name": name, "in": "query", "description": description, "required": false, "schema": schema}
	for i := 0; i+1 < len(extra); i += 2 {
		p[extra[i].(string)] = extra[i+1]
	}
	return p
}
