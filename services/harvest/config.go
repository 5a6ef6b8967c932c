package harvest

import (
	"time"

	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/pkg/sqldb"
)

// Config configures the harvest service.
type Config struct {
	// DB says which database the assembly opens and passes as Deps.DB.
	DB sqldb.Config `yaml:"db"`
	// CatalogAPIKey is a sysadmin API token of the catalog, that harvested
	// datasets are written with.
	CatalogAPIKey string `yaml:"catalog_api_key" secret:"true" usage:"sysadmin API token the harvest service writes to the catalog with"`
	// Fetch bounds the reads of sources, behind the SSRF guard: loopback,
	// private and metadata addresses are refused unless allowed here.
	Fetch safehttp.Config `yaml:"fetch"`
	// ScheduleEvery is how often scheduled sources are looked at.
	ScheduleEvery time.Duration `yaml:"schedule_every" usage:"how often the schedules of sources are checked (default 1m)"`
}

// Defaults.
const (
	DefaultScheduleEvery = time.Minute
	// defaultPageBytes bounds a source's page: harvest pages are parsed
	// whole.
	defaultPageBytes = 256 << 20
	// defaultFetchTimeout bounds one page.
	defaultFetchTimeout = 2 * time.Minute
)

func (c Config) withDefaults() Config {
	if c.ScheduleEvery <= 0 {
		c.ScheduleEvery = DefaultScheduleEvery
	}
	if c.Fetch.MaxBytes <= 0 {
		c.Fetch.MaxBytes = defaultPageBytes
	}
	if c.Fetch.Timeout <= 0 {
		c.Fetch.Timeout = defaultFetchTimeout
	}
	if c.Fetch.UserAgent == "" {
		c.Fetch.UserAgent = "relais-harvest/1 (+https://github.com/relais-data/relais)"
	}
	return c
}
