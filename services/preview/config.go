package preview

import (
	"errors"
	"fmt"
	"time"

	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/preview/internal/pipeline"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// Config configures the preview service.
type Config struct {
	// DB says which database the assembly opens and passes as Deps.DB: the
	// preview records and the tabular store's tables.
	DB sqldb.Config `yaml:"db"`
	// ServiceToken is the storage service's token (the preview reads
	// uploaded files with it) and the one Reanalyze requires.
	ServiceToken string `yaml:"service_token" secret:"true" usage:"the storage service's token, also required by Reanalyze"`
	// CatalogAPIKey is a sysadmin's API token: the service writes the
	// analysis on every dataset's resources.
	CatalogAPIKey string `yaml:"catalog_api_key" secret:"true" usage:"API token of a sysadmin user the preview service writes resources' extras as"`
	// PublicURL is the gateway's public URL: uploaded files' URLs are
	// made from it before their resource exists.
	PublicURL string `yaml:"public_url" usage:"public URL of the gateway, where uploaded files are served"`
	// Fetch bounds the fetching of remote resources (SSRF guard, limits).
	Fetch safehttp.Config `yaml:"fetch"`
	// Concurrency bounds the analyses running at once (default 2).
	Concurrency int `yaml:"concurrency" usage:"analyses running at once (default 2)"`
	// TempDir holds the files being analyzed (default: the system's).
	TempDir string `yaml:"temp_dir" usage:"where files being analyzed are kept (default: the system's temporary directory)"`
	// AckWait is how long an event stays with a preview service that
	// stopped answering for it before JetStream hands it out again
	// (default 1m). An analysis may take longer: while it runs, the
	// consumer extends the delivery every third of AckWait (in-progress
	// heartbeats), so a long file is not analyzed twice and a crashed
	// worker's events come back after AckWait.
	AckWait time.Duration `yaml:"ack_wait" usage:"how soon the event of a preview that died is handed out again; running analyses extend it (default 1m)"`
	// Attempts bounds the analyses of the same bytes failing for a
	// transient reason (a timeout, a 5xx, the storage service
	// unreachable); the last failure stays on the resource with its
	// reason. Permanent failures (a 4xx, an unreadable file) are not
	// retried.
	Attempts int `yaml:"attempts" usage:"analyses of the same file failing for a transient reason before the failure is kept (default 5)"`
	// RetryDelay is the delay before the first retry of a failed event,
	// doubling with each up to MaxRetryDelay.
	RetryDelay    time.Duration `yaml:"retry_delay" usage:"delay before retrying a failed analysis, doubling each time (default 30s)"`
	MaxRetryDelay time.Duration `yaml:"max_retry_delay" usage:"longest delay between retries of a failed analysis (default 10m)"`
	// Tabular chooses where the tabular store's data tables live.
	Tabular TabularConfig `yaml:"tabular"`
}

// TabularConfig chooses the tabular store's engine (tabular.Options.Engine):
// the preview database itself (sql, the default: indexed, its filtered and
// sorted pages fastest) or a DuckDB file (duckdb: loads faster, pages
// slower, in binaries built with cgo).
type TabularConfig struct {
	Engine      string `yaml:"engine" usage:"where tabular data tables live: sql (the preview database, default) or duckdb (a DuckDB file; needs a cgo build)"`
	DuckDBPath  string `yaml:"duckdb_path" usage:"the DuckDB file of the duckdb engine (default: tabular.duckdb in the data directory)"`
	MemoryLimit string `yaml:"duckdb_memory_limit" usage:"DuckDB's memory_limit, beyond which it spills to disk (default 64MB)"`
	Threads     int    `yaml:"duckdb_threads" usage:"DuckDB's worker threads (default 2)"`
}

// options are the tabular store's options of c.
func (c TabularConfig) options() tabular.Options {
	return tabular.Options{Engine: c.Engine, DuckDB: tabular.DuckDBOptions{
		Path: c.DuckDBPath, MemoryLimit: c.MemoryLimit, Threads: c.Threads,
	}}
}

// Defaults of Config.
const (
	DefaultAckWait       = time.Minute
	DefaultAttempts      = pipeline.DefaultAttempts
	DefaultRetryDelay    = 30 * time.Second
	DefaultMaxRetryDelay = 10 * time.Minute
)

func (c Config) withDefaults() (Config, error) {
	if c.Concurrency <= 0 {
		c.Concurrency = 2
	}
	if c.AckWait <= 0 {
		c.AckWait = DefaultAckWait
	}
	if c.Attempts <= 0 {
		c.Attempts = DefaultAttempts
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = DefaultRetryDelay
	}
	if c.MaxRetryDelay <= 0 {
		c.MaxRetryDelay = DefaultMaxRetryDelay
	}
	c.MaxRetryDelay = max(c.MaxRetryDelay, c.RetryDelay)
	if c.Concurrency > 64 {
		return c, errors.New("preview: concurrency above 64")
	}
	switch c.Tabular.Engine {
	case "", tabular.EngineSQL:
	case tabular.EngineDuckDB:
		if !tabular.DuckDBAvailable {
			return c, errors.New("preview: tabular.engine duckdb: this binary was built without cgo; use sql")
		}
		if c.Tabular.DuckDBPath == "" {
			return c, errors.New("preview: tabular.engine duckdb needs tabular.duckdb_path")
		}
	default:
		return c, fmt.Errorf("preview: tabular.engine %q: sql or duckdb", c.Tabular.Engine)
	}
	return c, nil
}
