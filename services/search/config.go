package search

import (
	"errors"
	"fmt"
	"regexp"
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
	// Durable names the JetStream durable consumer this replica reads the
	// catalog events with. Replicas that share one index (Meilisearch)
	// share it, and their ledger: each event is indexed once. A replica of
	// the embedded backend has its own index, so it needs its own durable
	// (and its own ledger) to see every event; such a durable, unused for
	// ReplicaDurableInactive, is deleted by JetStream.
	Durable string `yaml:"durable" usage:"durable consumer of catalog events: search-index (default) shared by replicas of one index; one per replica of the embedded backend, e.g. search-index-$(POD_NAME)"`
}

// Defaults.
const (
	DefaultBatchWait = 5 * time.Millisecond
	DefaultMaxBatch  = 500
	DefaultDurable   = "search-index"
)

// ReplicaDurableInactive is how long a durable other than DefaultDurable
// may go unread before JetStream deletes it: the durable of a replica
// that is gone (a pod scaled away) then stops holding its backlog. A
// replica back after longer starts a new durable from the stream's start,
// and indexes the catalog first when the stream has dropped events.
const ReplicaDurableInactive = 24 * time.Hour

// durableName is what JetStream accepts as a durable name.
var durableName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

// CheckDurable checks that name is a durable name JetStream accepts.
func CheckDurable(name string) error {
	if !durableName.MatchString(name) {
		return fmt.Errorf("durable %q: want 1 to 200 letters, digits, - or _", name)
	}
	return nil
}

func (c Config) withDefaults() (Config, error) {
	if c.BatchWait <= 0 {
		c.BatchWait = DefaultBatchWait
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.Durable == "" {
		c.Durable = DefaultDurable
	}
	if err := CheckDurable(c.Durable); err != nil {
		return c, fmt.Errorf("search: %w", err)
	}
	if c.ServiceToken == "" {
		return c, errors.New("search: service_token is required")
	}
	return c, nil
}
