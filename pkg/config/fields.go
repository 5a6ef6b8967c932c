package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"
	"time"
)

var (
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// field is one leaf of a configuration struct tree.
type field struct {
	path   string       // dotted yaml path, e.g. "catalog.db.dsn"
	steps  []int        // struct field indexes from the root struct
	typ    reflect.Type // declared type of the leaf
	secret bool
	usage  string
	// settable reports whether env and flags can set the leaf (see parseValue).
	settable bool
}

// schema is the set of leaves of a configuration type.
type schema struct {
	fields []*field
	byPath map[string]*field
	// sections holds the paths of the nested structs, for suggestions.
	sections []string
}

// newSchema lists the leaves of the struct type t.
func newSchema(t reflect.Type) (*schema, error) {
	s := &schema{byPath: map[string]*field{}}
	if err := s.walk(t, "", nil, map[reflect.Type]bool{}); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *schema) walk(t reflect.Type, prefix string, steps []int, visiting map[reflect.Type]bool) error {
	if visiting[t] {
		return fmt.Errorf("recursive type %s at %q", t, prefix)
	}
	visiting[t] = true
	defer delete(visiting, t)

	for i := range t.NumField() {
		sf := t.Field(i)
		name, inline, ok := yamlName(sf)
		if !ok {
			continue
		}
		fieldSteps := append(append([]int(nil), steps...), i)
		if inline {
			if sf.Type.Kind() != reflect.Struct {
				return fmt.Errorf("field %s.%s: inline needs a struct, got %s", t, sf.Name, sf.Type)
			}
			if err := s.walk(sf.Type, prefix, fieldSteps, visiting); err != nil {
				return err
			}
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		if st, ok := structType(sf.Type); ok {
			s.sections = append(s.sections, path)
			if err := s.walk(st, path, fieldSteps, visiting); err != nil {
				return err
			}
			continue
		}
		if _, dup := s.byPath[path]; dup {
			return fmt.Errorf("duplicate config path %q (field %s.%s)", path, t, sf.Name)
		}
		f := &field{
			path:     path,
			steps:    fieldSteps,
			typ:      sf.Type,
			secret:   sf.Tag.Get("secret") == "true",
			usage:    sf.Tag.Get("usage"),
			settable: settable(sf.Type),
		}
		s.fields = append(s.fields, f)
		s.byPath[path] = f
	}
	return nil
}

// yamlName returns the key yaml.v3 uses for a struct field, whether the field
// is inlined, and false when yaml ignores the field.
func yamlName(sf reflect.StructField) (name string, inline, ok bool) {
	if !sf.IsExported() && !sf.Anonymous {
		return "", false, false // yaml.v3 does not see unexported fields, but inlines unexported embedded structs
	}
	tag := sf.Tag.Get("yaml")
	if tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	for opt := range strings.SplitSeq(opts, ",") {
		if opt == "inline" {
			inline = true
		}
	}
	if name == "" {
		name = strings.ToLower(sf.Name)
	}
	return name, inline, true
}

// structType returns the struct type behind t (following pointers) when t is
// a section of the tree rather than a leaf.
func structType(t reflect.Type) (reflect.Type, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || isText(t) {
		return nil, false
	}
	return t, true
}

// isText reports whether *t implements encoding.TextUnmarshaler.
func isText(t reflect.Type) bool {
	return t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)
}

// value returns the settable leaf value of f inside root, allocating nil
// pointers to structs on the way.
func (f *field) value(root reflect.Value) reflect.Value {
	v := root
	for i, step := range f.steps {
		v = v.Field(step)
		if i == len(f.steps)-1 {
			break
		}
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
	}
	return v
}

// lookup returns the leaf value of f inside root without allocating; ok is
// false when a pointer on the way is nil.
func (f *field) lookup(root reflect.Value) (v reflect.Value, ok bool) {
	v = root
	for i, step := range f.steps {
		v = v.Field(step)
		if i == len(f.steps)-1 {
			break
		}
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
	}
	return v, true
}

// set parses s and stores it in the leaf f of root.
func (f *field) set(root reflect.Value, s string) error {
	if !f.settable {
		return fmt.Errorf("type %s can only be set from the config file", f.typ)
	}
	v, err := parseValue(f.typ, s)
	if err != nil {
		return err
	}
	f.value(root).Set(v)
	return nil
}

// isBool reports whether the leaf is a bool, so a bare flag means true.
func (f *field) isBool() bool {
	t := f.typ
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Bool && !isText(t)
}

// envName returns the environment variable name of a path.
func envName(prefix, path string) string {
	name := strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
	if prefix == "" {
		return name
	}
	return prefix + "_" + name
}
