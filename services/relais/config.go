// Package relais assembles the Relais targets into one binary: which
// services run in which mode, in what order, on what configuration.
// `relais -target=all` (the default) runs every service in one process on
// embedded defaults; `-target=catalog`, `-target=storage` or
// `-target=gateway` run one service against external NATS, database and
// object store. The services talk to each other over
// real gRPC in both modes.
package relais

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/log"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/telemetry"
	"github.com/relais-data/relais/services/analytics"
	"github.com/relais-data/relais/services/catalog"
	"github.com/relais-data/relais/services/gateway"
	"github.com/relais-data/relais/services/harvest"
	"github.com/relais-data/relais/services/preview"
	"github.com/relais-data/relais/services/search"
	"github.com/relais-data/relais/services/storage"
)

// Targets are the values -target takes.
var Targets = []string{"all", "catalog", "storage", "preview", "search", "analytics", "harvest", "gateway"}

// Config is the whole configuration of the binary. Its zero-config
// defaults come from DefaultConfig; a YAML file, RELAIS_* variables and
// flags override them (pkg/config).
type Config struct {
	Target    string           `yaml:"target" usage:"what to run: all, catalog, storage, preview, search or gateway"`
	DataDir   string           `yaml:"data_dir" usage:"where embedded NATS and SQLite keep their files"`
	AdminAddr string           `yaml:"admin_addr" usage:"address of /healthz, /readyz and /metrics"`
	Log       log.Config       `yaml:"log"`
	Telemetry telemetry.Config `yaml:"telemetry"`
	Events    EventsConfig     `yaml:"events"`
	Catalog   CatalogConfig    `yaml:"catalog"`
	Storage   StorageConfig    `yaml:"storage"`
	Preview   PreviewConfig    `yaml:"preview"`
	Search    SearchConfig     `yaml:"search"`
	Analytics AnalyticsConfig  `yaml:"analytics"`
	Harvest   HarvestConfig    `yaml:"harvest"`
	Gateway   gateway.Config   `yaml:"gateway"`
	Demo      DemoConfig       `yaml:"demo"`
}

// EventsConfig says where NATS JetStream is. With no URL, -target=all
// starts an embedded server with JetStream in the data directory.
type EventsConfig struct {
	events.Config `yaml:",inline"`
	EmbeddedPort  int `yaml:"embedded_port" usage:"port of the embedded NATS server (-1 = random)"`
}

// CatalogConfig is the catalog service's configuration and where it listens.
type CatalogConfig struct {
	catalog.Config `yaml:",inline"`
	GRPCAddr       string `yaml:"grpc_addr" usage:"gRPC listen address of the catalog"`
}

// DemoConfig loads the demo data (collectivités and their real datasets
// from data.gouv.fr) and a demo administrator on start.
type DemoConfig struct {
	Load       bool   `yaml:"load" usage:"load the demo data and print an admin token"`
	AdminEmail string `yaml:"admin_email"`
}

// DefaultConfig is what runs with no configuration at all: everything in
// one process, files under ./.data, the portal on http://localhost:8080.
func DefaultConfig() Config {
	return Config{
		Target:    "all",
		DataDir:   ".data",
		AdminAddr: "127.0.0.1:9090",
		Log:       log.Config{Level: "info", Format: "text"},
		Telemetry: telemetry.Config{ServiceName: "relais", SampleRatio: 1},
		Events:    EventsConfig{Config: events.DefaultConfig(), EmbeddedPort: -1},
		Catalog: CatalogConfig{
			Config:   catalog.Config{DB: sqldb.Config{Driver: "sqlite"}},
			GRPCAddr: "127.0.0.1:9091",
		},
		Storage: StorageConfig{
			Config:   storage.Config{DB: sqldb.Config{Driver: "sqlite"}},
			GRPCAddr: "127.0.0.1:9092",
		},
		Preview: PreviewConfig{
			Config:   preview.Config{DB: sqldb.Config{Driver: "sqlite"}},
			GRPCAddr: "127.0.0.1:9096",
		},
		Search: SearchConfig{
			Config:   search.Config{DB: sqldb.Config{Driver: "sqlite"}},
			GRPCAddr: "127.0.0.1:9094",
		},
		Analytics: AnalyticsConfig{
			Config:   analytics.Config{DB: sqldb.Config{Driver: "sqlite"}},
			GRPCAddr: "127.0.0.1:9095",
		},
		Harvest: HarvestConfig{
			Config:   harvest.Config{DB: sqldb.Config{Driver: "sqlite"}},
			GRPCAddr: "127.0.0.1:9097",
		},
		Gateway: gateway.Config{
			Addr:        ":8080",
			PublicURL:   "http://localhost:8080",
			SiteTitle:   "Relais",
			CatalogAddr: "127.0.0.1:9091",
			StorageAddr: "127.0.0.1:9092",
			PreviewAddr: "127.0.0.1:9096",
			S3Downloads: "redirect",
			GRPCAddr:    "127.0.0.1:9093",
		},
		Demo: DemoConfig{AdminEmail: "admin@relais.localhost"},
	}
}

// finish fills the defaults that depend on other settings and checks what
// every command needs (a known target, a database per service). It is
// what `relais migrate` and `relais admin` need; running a target needs
// Validate.
func (c *Config) finish() error {
	if !slices.Contains(Targets, c.Target) {
		return fmt.Errorf("unknown target %q (want one of %v)", c.Target, Targets)
	}
	if c.Catalog.DB.Driver == "" {
		c.Catalog.DB.Driver = "sqlite"
	}
	if c.Catalog.DB.Driver == "sqlite" && c.Catalog.DB.DSN == "" {
		c.Catalog.DB.DSN = filepath.Join(c.DataDir, "catalog.db")
	}
	c.finishStorage()
	c.finishPreview()
	c.finishSearch()
	c.finishAnalytics()
	c.finishHarvest()
	if c.Demo.Load && c.Target != "all" {
		return fmt.Errorf("demo.load needs -target=all")
	}
	return nil
}

// Validate fills the defaults (finish) and checks, without touching the
// disk or the network, that the configuration is complete for its target:
// every setting a target needs and has no default for. New runs it, and so
// does `relais config`, so that a configuration (the Helm chart's, per pod)
// can be checked before anything starts. It reports every missing setting
// at once. What needs I/O stays in New: reading or making the token files
// of the laptop mode, opening databases, blob stores and NATS.
func (c *Config) Validate() error {
	if err := c.finish(); err != nil {
		return err
	}
	runs := func(targets ...string) bool { return slices.Contains(targets, c.Target) }
	var errs []error
	if runs("all", "catalog") {
		errs = append(errs, checkDB("catalog.db", c.Catalog.DB))
		if c.Catalog.TokenSecret == "" && c.Catalog.DB.Driver != "sqlite" {
			errs = append(errs, fmt.Errorf("%s is required with -target=%s on %s: every catalog replica hashes API tokens with it (only SQLite keeps one in the data directory)",
				setting("catalog.token_secret"), c.Target, "catalog.db.driver="+c.Catalog.DB.Driver))
		}
	}
	if runs("all", "storage") {
		errs = append(errs, checkDB("storage.db", c.Storage.DB), c.checkBlob())
	}
	if runs("all", "preview") {
		errs = append(errs, checkDB("preview.db", c.Preview.DB))
	}
	if runs("all", "analytics") {
		errs = append(errs, checkDB("analytics.db", c.Analytics.DB))
	}
	if runs("analytics") && c.Analytics.CatalogAddr != "" && c.Analytics.CatalogAPIKey == "" {
		errs = append(errs, fmt.Errorf("%s is required with analytics.catalog_addr: figures are sent to the catalog as a sysadmin", setting("analytics.catalog_api_key")))
	}
	if runs("all", "harvest") {
		errs = append(errs, checkDB("harvest.db", c.Harvest.DB))
	}
	if runs("harvest") && (c.Harvest.CatalogAddr == "" || c.Harvest.CatalogAPIKey == "") {
		errs = append(errs, fmt.Errorf("%s and %s are required with -target=harvest: datasets are written to the catalog as a sysadmin",
			setting("harvest.catalog_addr"), setting("harvest.catalog_api_key")))
	}
	if runs("all", "search") {
		errs = append(errs, c.checkSearch()...)
	}
	if runs("preview") {
		for _, kv := range [][2]string{
			{"preview.catalog_api_key", c.Preview.CatalogAPIKey}, {"preview.catalog_addr", c.Preview.CatalogAddr},
			{"preview.storage_addr", c.Preview.StorageAddr}, {"storage.service_token", c.Storage.ServiceToken},
		} {
			if kv[1] == "" {
				errs = append(errs, fmt.Errorf("%s is required with -target=preview", setting(kv[0])))
			}
		}
	}
	if runs("catalog", "storage", "preview", "analytics") && c.Events.URL == "" {
		errs = append(errs, fmt.Errorf("%s is required with -target=%s: only -target=all embeds NATS", setting("events.url"), c.Target))
	}
	if runs("storage", "gateway") && c.Storage.ServiceToken == "" {
		errs = append(errs, fmt.Errorf("%s is required with -target=%s: the gateway and the storage service share it (only -target=all makes one in the data directory)",
			setting("storage.service_token"), c.Target))
	}
	if runs("all", "gateway") {
		if _, err := c.Gateway.SessionKeys(); err != nil {
			errs = append(errs, fmt.Errorf("%w (RELAIS_GATEWAY_SESSION_KEY)", err))
		}
		switch c.Gateway.S3Downloads {
		case "", "redirect", "proxy":
		default:
			errs = append(errs, fmt.Errorf("gateway.s3_downloads %q: want redirect or proxy", c.Gateway.S3Downloads))
		}
	}
	if runs("gateway") {
		if c.Gateway.CatalogAddr == "" {
			errs = append(errs, fmt.Errorf("%s is required with -target=gateway", setting("gateway.catalog_addr")))
		}
		if c.Gateway.StorageAddr == "" {
			errs = append(errs, fmt.Errorf("%s is required with -target=gateway", setting("gateway.storage_addr")))
		}
	}
	return incomplete("-target="+c.Target, errs)
}

// incomplete is nil without errors, the one error, or every error on a line
// of its own under what they are about.
func incomplete(what string, errs []error) error {
	var msgs []string
	for _, err := range errs {
		if err != nil {
			msgs = append(msgs, strings.Split(err.Error(), "\n")...)
		}
	}
	switch len(msgs) {
	case 0:
		return nil
	case 1:
		return errors.New(msgs[0])
	}
	return fmt.Errorf("%s is not fully configured:\n  - %s", what, strings.Join(msgs, "\n  - "))
}

// checkMigrate checks what `relais migrate` needs: every service's database.
func (c *Config) checkMigrate() error {
	if err := c.finish(); err != nil {
		return err
	}
	return incomplete("relais migrate", []error{checkDB("catalog.db", c.Catalog.DB), checkDB("storage.db", c.Storage.DB), checkDB("search.db", c.Search.DB), checkDB("preview.db", c.Preview.DB), checkDB("analytics.db", c.Analytics.DB), checkDB("harvest.db", c.Harvest.DB)})
}

// checkDB checks the database settings under key (catalog.db, storage.db).
func checkDB(key string, db sqldb.Config) error {
	switch db.Driver {
	case "sqlite":
		return nil
	case "postgres":
		if db.DSN == "" {
			return fmt.Errorf("%s is required with %s.driver=postgres", setting(key+".dsn"), key)
		}
		return nil
	default:
		return fmt.Errorf("%s.driver %q: want sqlite or postgres", key, db.Driver)
	}
}

// checkBlob checks the blob store of the storage service.
func (c *Config) checkBlob() error {
	b := c.Storage.Blob
	switch b.Backend {
	case "fs":
		return nil
	case "s3":
		var errs []error
		if b.S3.Endpoint == "" {
			errs = append(errs, fmt.Errorf("%s is required with storage.blob.backend=s3", setting("storage.blob.s3.endpoint")))
		}
		if b.S3.Bucket == "" {
			errs = append(errs, fmt.Errorf("%s is required with storage.blob.backend=s3", setting("storage.blob.s3.bucket")))
		}
		return errors.Join(errs...)
	default:
		return fmt.Errorf("storage.blob.backend %q: want fs or s3", b.Backend)
	}
}

// setting names a configuration key and its environment variable:
// "storage.service_token (RELAIS_STORAGE_SERVICE_TOKEN)".
func setting(key string) string {
	return fmt.Sprintf("%s (RELAIS_%s)", key, strings.ToUpper(strings.ReplaceAll(key, ".", "_")))
}

// ensureTokenSecret gives the laptop mode a token secret without any
// configuration: with SQLite and no catalog.token_secret, a random one is
// made once and kept in the data directory (mode 0600). With PostgreSQL the
// secret must be configured, since every catalog replica needs the same.
func (c *Config) ensureTokenSecret() error {
	if c.Catalog.TokenSecret != "" {
		return nil
	}
	if c.Catalog.DB.Driver != "sqlite" {
		return errors.New("catalog.token_secret (RELAIS_CATALOG_TOKEN_SECRET) is required with a shared database")
	}
	path := filepath.Join(c.DataDir, "token-secret")
	if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
		c.Catalog.TokenSecret = string(bytes.TrimSpace(b))
		return nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read token secret: %w", err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return err
	}
	c.Catalog.TokenSecret = hex.EncodeToString(secret)
	if err := os.WriteFile(path, []byte(c.Catalog.TokenSecret+"\n"), 0o600); err != nil {
		return fmt.Errorf("keep token secret: %w", err)
	}
	return nil
}
