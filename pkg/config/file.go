package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// loadFile decodes the YAML file at path over dst (a pointer to a struct),
// after checking that every key names a field.
func loadFile(path string, dst any, s *schema) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read file: %w", err)
	}
	if err := decodeYAML(data, dst, s); err != nil {
		return fmt.Errorf("file %s: %w", path, err)
	}
	return nil
}

func decodeYAML(data []byte, dst any, s *schema) error {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty file
		}
		return err
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil // only comments
	}
	t := reflect.TypeOf(dst).Elem()
	candidates := slices.Concat(s.sections, paths(s))
	if err := errors.Join(checkKeys(root, t, "", candidates)...); err != nil {
		return err
	}
	return root.Decode(dst)
}

func paths(s *schema) []string {
	out := make([]string, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.path
	}
	return out
}

// checkKeys returns an error for every mapping key under n that names no
// field of the struct type t.
func checkKeys(n *yaml.Node, t reflect.Type, prefix string, candidates []string) []error {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		return nil // a type mismatch is reported by Decode
	}
	keys := structKeys(t)
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			errs = append(errs, checkMerge(v, t, prefix, candidates)...)
			continue
		}
		path := k.Value
		if prefix != "" {
			path = prefix + "." + k.Value
		}
		ft, ok := keys[k.Value]
		if !ok {
			errs = append(errs, unknownKey(k.Line, path, candidates))
			continue
		}
		if st, ok := structType(ft); ok {
			errs = append(errs, checkKeys(v, st, path, candidates)...)
		}
	}
	return errs
}

// checkMerge checks the mapping(s) merged in with "<<".
func checkMerge(v *yaml.Node, t reflect.Type, prefix string, candidates []string) []error {
	v = resolveAlias(v)
	if v.Kind != yaml.SequenceNode {
		return checkKeys(v, t, prefix, candidates)
	}
	var errs []error
	for _, m := range v.Content {
		errs = append(errs, checkKeys(m, t, prefix, candidates)...)
	}
	return errs
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func unknownKey(line int, path string, candidates []string) error {
	if s := suggest(path, candidates); len(s) > 0 {
		return fmt.Errorf("line %d: unknown key %s (did you mean %s?)", line, path, joinOr(s))
	}
	return fmt.Errorf("line %d: unknown key %s", line, path)
}

// structKeys maps the yaml keys of struct type t, inlined fields included,
// to their field types.
func structKeys(t reflect.Type) map[string]reflect.Type {
	keys := map[string]reflect.Type{}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, inline, ok := yamlName(sf)
		switch {
		case !ok:
		case inline && sf.Type.Kind() == reflect.Struct:
			for k, v := range structKeys(sf.Type) {
				keys[k] = v
			}
		default:
			keys[name] = sf.Type
		}
	}
	return keys
}

func joinOr(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
