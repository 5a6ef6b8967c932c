package tableschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrInvalidSchema wraps every reason Parse refuses a schema.
var ErrInvalidSchema = errors.New("invalid table schema")

// Schema is a parsed Table Schema: its fields with their casters,
// constraints and compiled patterns, and the validata custom checks.
type Schema struct {
	Name        string
	Title       string
	Description string
	Version     string
	Homepage    string
	// Path is the URL the authors give for the schema itself.
	Path string
	// Examples are the example files the schema links to (its "resources").
	Examples []Example
	Fields   []*Field
	// MissingValues are the cell texts read as "no value" (default [""]).
	MissingValues []string
	Checks        []Check
	// Warnings list what Parse accepted but could not honour: constraints
	// written outside "constraints", unknown custom checks, unknown formats.
	// Validate copies them into every report.
	Warnings []string

	byName map[string]int
}

// Example is one example file a schema links to.
type Example struct {
	Title string `json:"title"`
	Path  string `json:"path"`
}

// Field is one column of the schema.
type Field struct {
	Name        string
	Title       string
	Description string
	Type        string
	Format      string
	// Example is the field's "example" (or "examples") as text, shown in
	// error messages the way validata shows it.
	Example       string
	MissingValues []string // nil: the schema's
	Constraints   Constraints
	// ArrayItem describes each item of an "array" field (Table Schema v2).
	ArrayItem *Field

	cast  *caster
	enum  map[string]bool
	index int
}

// Parse reads a Table Schema as the SCDL writes them. Non-standard keys are
// ignored (SCDL adds many); a constraint written outside "constraints" is
// ignored with a warning rather than guessed; a field without "type" is a
// string, as the specification says. A type, format, pattern or constraint
// that cannot be honoured is an error wrapping ErrInvalidSchema.
func Parse(schemaJSON []byte) (*Schema, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(schemaJSON, &top); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidSchema, jsonReason(err))
	}
	if top == nil {
		return nil, fmt.Errorf("%w: the schema must be a JSON object", ErrInvalidSchema)
	}
	s := &Schema{MissingValues: []string{""}, byName: map[string]int{}}
	s.Name = optString(top, "name")
	s.Title = optString(top, "title")
	s.Description = optString(top, "description")
	s.Version = optString(top, "version")
	s.Homepage = optString(top, "homepage")
	s.Path = optString(top, "path")
	if s.Path == "" {
		s.Path = optString(top, "uri") // old-style schemas (DECP-DPA, marchés draft)
	}
	s.Examples = examples(top)

	if raw, ok := top["missingValues"]; ok {
		mv, err := stringList(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: missingValues: %v", ErrInvalidSchema, err)
		}
		s.MissingValues = mv
	}

	rawFields, ok := top["fields"]
	if !ok {
		return nil, fmt.Errorf("%w: no \"fields\"", ErrInvalidSchema)
	}
	var fields []json.RawMessage
	if err := json.Unmarshal(rawFields, &fields); err != nil {
		return nil, fmt.Errorf("%w: \"fields\" must be an array of objects", ErrInvalidSchema)
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("%w: \"fields\" is empty", ErrInvalidSchema)
	}
	for i, raw := range fields {
		f, warns, err := parseField(raw, false)
		if err != nil {
			return nil, fmt.Errorf("%w: field %d: %v", ErrInvalidSchema, i+1, err)
		}
		if _, dup := s.byName[f.Name]; dup {
			return nil, fmt.Errorf("%w: field %q is declared twice", ErrInvalidSchema, f.Name)
		}
		f.index = i
		s.byName[f.Name] = i
		s.Fields = append(s.Fields, f)
		s.Warnings = append(s.Warnings, warns...)
	}

	if raw, ok := top["custom_checks"]; ok {
		checks, warns, err := parseChecks(raw, s)
		if err != nil {
			return nil, fmt.Errorf("%w: custom_checks: %v", ErrInvalidSchema, err)
		}
		s.Checks = checks
		s.Warnings = append(s.Warnings, warns...)
	}
	return s, nil
}

// Field returns the field called name, or nil.
func (s *Schema) Field(name string) *Field {
	if i, ok := s.byName[name]; ok {
		return s.Fields[i]
	}
	return nil
}

// fieldKeys are the field descriptor keys Parse reads or knowingly ignores.
var fieldKeys = map[string]bool{
	"name": true, "title": true, "description": true, "type": true, "format": true,
	"constraints": true, "missingValues": true, "trueValues": true, "falseValues": true,
	"decimalChar": true, "groupChar": true, "bareNumber": true, "arrayItem": true,
	"example": true, "examples": true, "rdfType": true,
}

// misplacedKeys are constraints some schemas write beside "constraints"
// (the 2018 marchés publics draft): ignored, with a warning, because the
// specification gives them no meaning there.
var misplacedKeys = map[string]bool{
	"required": true, "unique": true, "enum": true, "pattern": true, "minimum": true,
	"maximum": true, "minLength": true, "maxLength": true,
}

func parseField(raw json.RawMessage, item bool) (*Field, []string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, nil, errors.New("a field must be a JSON object")
	}
	f := &Field{Type: "string"}
	var warns []string
	if !item {
		name, err := reqString(m, "name")
		if err != nil {
			return nil, nil, err
		}
		f.Name = name
	}
	label := f.Name
	if item {
		label = "arrayItem"
	}
	f.Title = optString(m, "title")
	f.Description = optString(m, "description")
	if raw, ok := m["type"]; ok {
		if err := json.Unmarshal(raw, &f.Type); err != nil {
			return nil, nil, fmt.Errorf("%s: \"type\" must be a string", label)
		}
	} else if !item {
		warns = append(warns, fmt.Sprintf("champ « %s » : pas de type déclaré, lu comme « string »", f.Name))
	}
	if raw, ok := m["format"]; ok {
		if err := json.Unmarshal(raw, &f.Format); err != nil {
			return nil, nil, fmt.Errorf("%s: \"format\" must be a string", label)
		}
	}
	f.Example = exampleText(m)
	if raw, ok := m["missingValues"]; ok {
		mv, err := stringList(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: missingValues: %v", label, err)
		}
		f.MissingValues = mv
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch {
		case fieldKeys[k]:
		case misplacedKeys[k]:
			warns = append(warns, fmt.Sprintf("champ « %s » : « %s » hors de « constraints », ignoré", label, k))
		case strings.HasSuffix(k, ":"):
			warns = append(warns, fmt.Sprintf("champ « %s » : clé « %s » mal écrite, ignorée", label, k))
		}
	}

	c, err := newCaster(f.Type, f.Format, m)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", label, err)
	}
	f.cast = c
	if w := c.warning(); w != "" {
		warns = append(warns, fmt.Sprintf("champ « %s » : %s", label, w))
	}
	if raw, ok := m["arrayItem"]; ok {
		if f.Type != "array" {
			return nil, nil, fmt.Errorf("%s: \"arrayItem\" on a field of type %q", label, f.Type)
		}
		if item {
			return nil, nil, fmt.Errorf("%s: nested \"arrayItem\"", label)
		}
		it, w, err := parseField(raw, true)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", label, err)
		}
		f.ArrayItem = it
		warns = append(warns, w...)
	}
	if raw, ok := m["constraints"]; ok {
		cw, err := f.parseConstraints(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", label, err)
		}
		for _, w := range cw {
			warns = append(warns, fmt.Sprintf("champ « %s » : %s", label, w))
		}
	}
	return f, warns, nil
}

func optString(m map[string]json.RawMessage, key string) string {
	var s string
	if raw, ok := m[key]; ok {
		_ = json.Unmarshal(raw, &s) // a non-string descriptive key is left empty
	}
	return s
}

func reqString(m map[string]json.RawMessage, key string) (string, error) {
	raw, ok := m[key]
	if !ok {
		return "", fmt.Errorf("no %q", key)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || s == "" {
		return "", fmt.Errorf("%q must be a non-empty string", key)
	}
	return s, nil
}

func stringList(raw json.RawMessage) ([]string, error) {
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, errors.New("must be an array of strings")
	}
	return l, nil
}

// exampleText returns "example" (or SCDL's "examples", a string there) as
// text: strings as they are, other JSON values as written.
func exampleText(m map[string]json.RawMessage) string {
	raw, ok := m["example"]
	if !ok {
		raw, ok = m["examples"]
	}
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

func examples(top map[string]json.RawMessage) []Example {
	var res []struct {
		Title string `json:"title"`
		Path  string `json:"path"`
	}
	if raw, ok := top["resources"]; ok {
		_ = json.Unmarshal(raw, &res) // descriptive only
	}
	var out []Example
	for _, r := range res {
		if r.Path != "" {
			out = append(out, Example{Title: r.Title, Path: r.Path})
		}
	}
	if len(out) == 0 {
		if p := optString(top, "example"); p != "" { // old-style single example URL
			out = append(out, Example{Title: "Exemple", Path: p})
		}
	}
	return out
}

// jsonReason turns a decoding error into a short reason with its offset.
func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "the schema must be a JSON object"
	}
	return err.Error()
}
