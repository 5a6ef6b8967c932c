package storage

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/sqldb"
)

// Config configures the storage service.
type Config struct {
	// DB says which database the assembly opens and passes as Deps.DB.
	DB sqldb.Config `yaml:"db"`
	// Blob says which blob store New opens (unless Deps.Blob is given).
	Blob blob.Config `yaml:"blob"`
	// ServiceToken is the shared secret callers (the gateway) send in the
	// x-service-token metadata. Required.
	ServiceToken string `yaml:"service_token" secret:"true" usage:"shared secret required in x-service-token by every storage RPC but ListAllowedExtensions"`
	// PartRetention is how long the parts of an unfinished chunked upload
	// are kept after its last part (udata's UPLOAD_MAX_RETENTION).
	PartRetention time.Duration `yaml:"part_retention" usage:"how long parts of unfinished chunked uploads are kept (default 24h)"`
	// CollectInterval is how often abandoned parts are looked for; default
	// the smaller of 1h and PartRetention/2.
	CollectInterval time.Duration `yaml:"collect_interval" usage:"how often abandoned upload parts are collected"`
	// MaxFileSize bounds an uploaded file (HTTP 413 beyond).
	MaxFileSize int64 `yaml:"max_file_size" usage:"largest file accepted, in bytes (default 10 GiB)"`
	// MaxChunkSize bounds one part of a chunked upload (data.gouv.fr's
	// front end sends 20 MB).
	MaxChunkSize int64 `yaml:"max_chunk_size" usage:"largest part of a chunked upload, in bytes (default 64 MiB)"`
	// AllowedExtensions replaces udata's ALLOWED_RESOURCES_EXTENSIONS.
	AllowedExtensions []string `yaml:"allowed_extensions" usage:"extensions uploads may have (default: udata's list)"`
	// QuotaPerOrganization bounds the bytes of the stored files of each
	// organization; 0 means no quota. Datasets of users have none.
	QuotaPerOrganization int64 `yaml:"quota_per_organization" usage:"bytes each organization's stored files may take (0: no quota)"`
	// OrganizationQuotas overrides QuotaPerOrganization for some
	// organizations: "<organization id>=<bytes>" (0: no quota).
	OrganizationQuotas []string `yaml:"organization_quotas" usage:"per-organization quotas, as <organization id>=<bytes> (0: no quota)"`

	quotas map[string]int64
}

// QuotaOf returns an organization's quota in bytes; 0 means none.
func (c Config) QuotaOf(organizationID string) int64 {
	if q, ok := c.quotas[organizationID]; ok {
		return q
	}
	return c.QuotaPerOrganization
}

// parseQuotas reads OrganizationQuotas.
func (c Config) parseQuotas() (map[string]int64, error) {
	m := make(map[string]int64, len(c.OrganizationQuotas))
	for _, o := range c.OrganizationQuotas {
		id, n, ok := strings.Cut(strings.TrimSpace(o), "=")
		id = strings.TrimSpace(id)
		q, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if !ok || id == "" || err != nil || q < 0 {
			return nil, fmt.Errorf("storage: organization_quotas %q: want <organization id>=<bytes>", o)
		}
		m[id] = q
	}
	return m, nil
}

// Defaults.
const (
	DefaultPartRetention = 24 * time.Hour
	DefaultMaxFileSize   = 10 << 30
	DefaultMaxChunkSize  = 64 << 20
	maxCollectInterval   = time.Hour
)

// withDefaults fills the zero values.
func (c Config) withDefaults() (Config, error) {
	if c.PartRetention == 0 {
		c.PartRetention = DefaultPartRetention
	}
	if c.CollectInterval == 0 {
		c.CollectInterval = min(maxCollectInterval, c.PartRetention/2)
	}
	if c.MaxFileSize == 0 {
		c.MaxFileSize = DefaultMaxFileSize
	}
	if c.MaxChunkSize == 0 {
		c.MaxChunkSize = DefaultMaxChunkSize
	}
	switch {
	case c.ServiceToken == "":
		return c, fmt.Errorf("storage: service_token is required")
	case c.PartRetention < 0 || c.CollectInterval <= 0:
		return c, fmt.Errorf("storage: part_retention %v and collect_interval %v must be positive", c.PartRetention, c.CollectInterval)
	case c.MaxFileSize < 0 || c.MaxChunkSize < 0:
		return c, fmt.Errorf("storage: max_file_size and max_chunk_size must be positive")
	case c.QuotaPerOrganization < 0:
		return c, fmt.Errorf("storage: quota_per_organization must not be negative")
	}
	var err error
	if c.quotas, err = c.parseQuotas(); err != nil {
		return c, err
	}
	return c, nil
}
