package config

import (
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"
)

// Redacted replaces the value of non-empty secret fields in Print and Usage.
const Redacted = "<redacted>"

// Print writes cfg (a struct or a pointer to one) as YAML, with non-empty
// fields tagged `secret:"true"` replaced by "<redacted>". The output is a
// valid config file.
func Print(w io.Writer, cfg any) error {
	v := reflect.ValueOf(cfg)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("config: print: want a struct, got %T", cfg)
	}
	var n yaml.Node
	if err := n.Encode(v.Interface()); err != nil {
		return fmt.Errorf("config: print: %w", err)
	}
	redact(&n, v)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return fmt.Errorf("config: print: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("config: print: %w", err)
	}
	return nil
}

// redact replaces, in the mapping n encoded from the struct v, the values of
// non-empty secret fields.
func redact(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		return
	}
	fields := structValues(v)
	for i := 0; i+1 < len(n.Content); i += 2 {
		fv, ok := fields[n.Content[i].Value]
		if !ok {
			continue
		}
		if fv.secret {
			if !fv.v.IsZero() {
				n.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: Redacted}
			}
			continue
		}
		sv := fv.v
		for sv.Kind() == reflect.Pointer && !sv.IsNil() {
			sv = sv.Elem()
		}
		if _, isSection := structType(sv.Type()); isSection && sv.Kind() == reflect.Struct {
			redact(n.Content[i+1], sv)
		}
	}
}

type fieldValue struct {
	v      reflect.Value
	secret bool
}

// structValues maps the yaml keys of the struct v, inlined fields included,
// to their values.
func structValues(v reflect.Value) map[string]fieldValue {
	out := map[string]fieldValue{}
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name, inline, ok := yamlName(sf)
		switch {
		case !ok:
		case inline && sf.Type.Kind() == reflect.Struct:
			maps.Copy(out, structValues(v.Field(i)))
		default:
			out[name] = fieldValue{v: v.Field(i), secret: sf.Tag.Get("secret") == "true"}
		}
	}
	return out
}

// Usage writes one line per leaf of cfg (a pointer to a struct): its flag,
// its environment variable, its type, its current value (secrets redacted)
// and its `usage` tag.
func Usage(w io.Writer, cfg any, envPrefix string) error {
	root, s, err := inspect(cfg)
	if err != nil {
		return err
	}
	if envPrefix == "" {
		envPrefix = DefaultEnvPrefix
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "FLAG\tENV\tTYPE\tVALUE\tUSAGE\n")
	fmt.Fprintf(tw, "-%s\t%s\tstring\t\tYAML file to load\n", FileFlag, envName(envPrefix, FileFlag))
	for _, f := range s.fields {
		flagName, env := "-"+f.path, envName(envPrefix, f.path)
		if !f.settable {
			flagName, env = "("+f.path+")", "(file only)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", flagName, env, f.typ, displayValue(f, root), f.usage)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("config: usage: %w", err)
	}
	return nil
}

// displayValue renders a leaf's current value the way a flag would take it.
func displayValue(f *field, root reflect.Value) string {
	v, ok := f.lookup(root)
	if !ok {
		return ""
	}
	if f.secret && !v.IsZero() {
		return Redacted
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Slice && !isText(v.Type()) {
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fmt.Sprint(v.Index(i).Interface())
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v.Interface())
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
