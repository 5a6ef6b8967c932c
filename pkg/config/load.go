package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// DefaultEnvPrefix is used when Options.EnvPrefix is empty.
const DefaultEnvPrefix = "RELAIS"

// Options says where Load reads from.
type Options struct {
	// File is an optional YAML file; "" means none. RELAIS_CONFIG_FILE and
	// -config.file override it.
	File string
	// EnvPrefix prefixes environment variable names; "" means "RELAIS".
	EnvPrefix string
	// Environ is the environment, as os.Environ returns it; nil means none.
	Environ []string
	// Args are the command-line flags, without the program name.
	Args []string
}

// Load fills dst, a pointer to a struct holding the defaults, from the file,
// the environment and the flags of opts, in that order.
func Load(dst any, opts Options) error {
	root, s, err := inspect(dst)
	if err != nil {
		return err
	}
	prefix := opts.EnvPrefix
	if prefix == "" {
		prefix = DefaultEnvPrefix
	}
	if _, clash := s.byPath[FileFlag]; clash {
		return fmt.Errorf("config: field path %q is reserved for the config file flag", FileFlag)
	}
	byEnv, err := envIndex(s, prefix)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}

	flags, err := parseArgs(opts.Args, func(name string) (bool, bool) {
		if name == FileFlag {
			return false, true
		}
		f, ok := s.byPath[name]
		return ok && f.isBool(), ok
	})
	if u, ok := isUnknownFlag(err); ok {
		u.suggestions = suggest(u.name, append(paths(s), FileFlag))
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}

	file := opts.File
	env := lookupEnv(opts.Environ)
	if v, ok := env[envName(prefix, FileFlag)]; ok {
		file = v
	}
	for _, fl := range flags {
		if fl.name == FileFlag {
			file = fl.value
		}
	}
	if file != "" {
		if err := loadFile(file, dst, s); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}

	var errs []error
	for _, name := range sortedKeys(env) {
		f, ok := byEnv[name]
		if !ok {
			continue // see the package doc: unknown variables are ignored
		}
		if err := f.set(root, env[name]); err != nil {
			errs = append(errs, fmt.Errorf("config: env %s: %w", name, err))
		}
	}
	for _, fl := range flags {
		if fl.name == FileFlag {
			continue
		}
		if err := s.byPath[fl.name].set(root, fl.value); err != nil {
			errs = append(errs, fmt.Errorf("config: flag -%s: %w", fl.name, err))
		}
	}
	return errors.Join(errs...)
}

// inspect checks that dst is a non-nil pointer to a struct and returns the
// struct value and its schema.
func inspect(dst any) (reflect.Value, *schema, error) {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, nil, fmt.Errorf("config: want a non-nil pointer to a struct, got %T", dst)
	}
	s, err := newSchema(v.Elem().Type())
	if err != nil {
		return reflect.Value{}, nil, fmt.Errorf("config: %w", err)
	}
	return v.Elem(), s, nil
}

// envIndex maps environment variable names to leaves, and fails when two
// paths give the same name (e.g. "a.b_c" and "a_b.c").
func envIndex(s *schema, prefix string) (map[string]*field, error) {
	idx := make(map[string]*field, len(s.fields))
	for _, f := range s.fields {
		name := envName(prefix, f.path)
		if other, dup := idx[name]; dup {
			return nil, fmt.Errorf("paths %q and %q both map to env %s", other.path, f.path, name)
		}
		idx[name] = f
	}
	return idx, nil
}

// lookupEnv turns KEY=value entries into a map; a later entry wins.
func lookupEnv(environ []string) map[string]string {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}
