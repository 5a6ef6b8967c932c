package search

import (
	"errors"
	"time"

	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/pkg/sqldb"
)

// Config configures the search service.
type Config struct {
	// Index says where the indexes are: embedded (default, one bleve index
	// per kind under Index.Dir) or meilisearch.
	Index searchindex.Config `yaml:"index"`
	// DB holds the ledger of applied versions; the assembly opens it and
	// passes it as Deps.DB.
	DB sqldb.Config `yaml:"db"`
	// ServiceToken guards the admin RPCs (Reindex, Verify). Required.
	ServiceToken string `yaml:"service_token" secret:"true" usage:"shared secret required in x-service-token by the search admin RPCs (reindex, verify)"`
	// BatchWait is how long the first catalog event of a batch waits for
	// others before the batch is indexed: the floor of the delay between a
	// change and its visibility in search.
	BatchWait time.Duration `yaml:"batch_wait" usage:"how long an event waits for others to be indexed with it (default 5ms)"`
	// MaxBatch bounds the events indexed together.
	MaxBatch int `yaml:"max_batch" usage:"most events indexed together (default 500)"`
}

// Defaults.
const (
	DefaultBatchWait = 5 * time.Millisecond
	DefaultMaxBatch  = 500
)

func (c Config) withDefaults() (Config, error) {
	if c.BatchWait <= 0 {
		c.BatchWait = DefaultBatchWait
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.ServiceToken == "" {
		return c, errors.New("search: service_token is required")
	}
	return c, nil
}
