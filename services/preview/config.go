package preview

import (
	"errors"
	"time"

	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/pkg/sqldb"
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
	// AckWait is how long one event's analysis may take before JetStream
	// hands it out again (default 10m).
	AckWait time.Duration `yaml:"ack_wait" usage:"longest analysis of one event before it is redelivered (default 10m)"`
}

// DefaultAckWait is Config.AckWait's default.
const DefaultAckWait = 10 * time.Minute

func (c Config) withDefaults() (Config, error) {
	if c.Concurrency <= 0 {
		c.Concurrency = 2
	}
	if c.AckWait <= 0 {
		c.AckWait = DefaultAckWait
	}
	if c.Concurrency > 64 {
		return c, errors.New("preview: concurrency above 64")
	}
	return c, nil
}
