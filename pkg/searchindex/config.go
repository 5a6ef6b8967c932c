package searchindex

import (
	"context"
	"fmt"
	"path/filepath"
)

// Backend names.
const (
	BackendEmbedded    = "embedded"
	BackendMeilisearch = "meilisearch"
)

// DefaultMeiliIndexPrefix prefixes the Meilisearch index uids Open uses.
const DefaultMeiliIndexPrefix = "relais"

// Config says which backend holds the search indexes.
type Config struct {
	Backend     string      `yaml:"backend" usage:"search index backend: embedded (default) or meilisearch"`
	Dir         string      `yaml:"dir" usage:"embedded: directory holding one index per kind of document"`
	Meilisearch MeiliConfig `yaml:"meilisearch"`
}

// Open opens the index of one kind of document (datasets, organizations…):
// for embedded, the directory <dir>/<kind>; for Meilisearch, the index
// <meilisearch.index>_<kind> (relais_<kind> by default).
func Open(ctx context.Context, cfg Config, kind string, schema Schema) (Index, error) {
	switch cfg.Backend {
	case "", BackendEmbedded:
		if cfg.Dir == "" {
			return nil, fmt.Errorf("open search index %s: embedded backend without a directory", kind)
		}
		return OpenEmbedded(filepath.Join(cfg.Dir, kind), schema)
	case BackendMeilisearch:
		mc := cfg.Meilisearch
		prefix := mc.Index
		if prefix == "" {
			prefix = DefaultMeiliIndexPrefix
		}
		mc.Index = prefix + "_" + kind
		return OpenMeilisearch(ctx, mc, schema)
	default:
		return nil, fmt.Errorf("open search index %s: unknown backend %q (want %q or %q)", kind, cfg.Backend, BackendEmbedded, BackendMeilisearch)
	}
}
