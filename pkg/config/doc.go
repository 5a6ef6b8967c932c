// Package config loads a service's configuration into a plain struct tree.
//
// The sources are applied in this order, each overriding the previous one:
//
//  1. defaults: whatever the caller put in the struct before calling Load;
//  2. an optional YAML file (unknown keys are an error, to catch typos);
//  3. environment variables RELAIS_<PATH>, e.g. RELAIS_CATALOG_DB_DSN;
//  4. command-line flags named by the dotted path, e.g. -catalog.db.dsn=x.
//
// A field's path is made of its yaml tag names (or the lower-cased Go field
// name when untagged) joined by dots. Fields tagged `yaml:",inline"` add no
// path segment. The environment variable of a path is the prefix, '_' and the
// path upper-cased with '.' replaced by '_'; since tag names may contain '_',
// variables are matched against the known paths, never split.
//
// Leaves may be strings, bools, integers, floats, time.Duration ("5s"),
// types implementing encoding.TextUnmarshaler, pointers to those, and slices
// of those (comma-separated in environment variables and flags; an empty
// value gives an empty slice). Pointers to structs are followed and allocated
// on demand. Leaves of other types (maps, …) can only be set from the file.
//
// The file path comes from Options.File, overridden by the environment
// variable RELAIS_CONFIG_FILE, overridden by the flag -config.file.
//
// Environment variables with the prefix that match no field are ignored:
// Kubernetes injects RELAIS_*_SERVICE_HOST-style variables for services
// whose name starts with "relais". Unknown flags and file keys are errors.
//
// Fields tagged `secret:"true"` are printed as "<redacted>" by Print and
// Usage; a `usage:"…"` tag documents a field in Usage.
package config
