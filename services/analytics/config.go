package analytics

import (
	"fmt"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// Config configures the analytics service.
type Config struct {
	// DB says which database the assembly opens and passes as Deps.DB.
	DB sqldb.Config `yaml:"db"`
	// SeenRetention is how long counted event ids are remembered to drop
	// redeliveries; it must exceed how long JetStream may redeliver (the
	// stream's max age, or the longest outage of this service).
	SeenRetention time.Duration `yaml:"seen_retention" usage:"how long counted event ids are kept to drop redeliveries (default 30 days)"`
	// MaxBatch is how many events are counted in one transaction.
	MaxBatch int `yaml:"max_batch" usage:"events counted per transaction (default 8000)"`
	// AckWait is how long events fetched by a consumer that stopped without
	// acknowledging them (a crash) wait before JetStream redelivers them.
	AckWait time.Duration `yaml:"ack_wait" usage:"delay before events fetched but not acknowledged (a crash) are redelivered (default 30s)"`
	// PushInterval is how often changed figures are sent to the catalog,
	// which shows them in the metrics of datasets, resources and
	// organizations.
	PushInterval time.Duration `yaml:"push_interval" usage:"how often changed figures are sent to the catalog (default 10s)"`
	// CatalogAPIKey is a sysadmin API token of the catalog, to send figures.
	CatalogAPIKey string `yaml:"catalog_api_key" secret:"true" usage:"sysadmin API token the analytics service sends figures to the catalog with"`
}

// Defaults.
const (
	DefaultSeenRetention = 30 * 24 * time.Hour
	DefaultMaxBatch      = 8000
	DefaultPushInterval  = 10 * time.Second
	pruneInterval        = time.Hour
)

func (c Config) withDefaults() (Config, error) {
	if c.SeenRetention == 0 {
		c.SeenRetention = DefaultSeenRetention
	}
	if c.PushInterval == 0 {
		c.PushInterval = DefaultPushInterval
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.SeenRetention < time.Hour || c.MaxBatch < 0 {
		return c, fmt.Errorf("analytics: seen_retention %v must be at least 1h and max_batch %d positive", c.SeenRetention, c.MaxBatch)
	}
	return c, nil
}
