package relais

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
)

// `relais config` runs the checks New runs before any I/O, so that a
// deployment (the Helm chart, pod by pod) is checked without starting
// anything: a setting a target needs and lacks is refused by both, with
// the key and its variable, every missing one at once.
func TestConfigChecksWhatTheTargetNeeds(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"gateway without the storage token", []string{"-target=gateway"}, []string{
			"storage.service_token (RELAIS_STORAGE_SERVICE_TOKEN) is required with -target=gateway",
		}},
		{"storage alone", []string{"-target=storage"}, []string{
			"-target=storage is not fully configured",
			"events.url (RELAIS_EVENTS_URL) is required with -target=storage",
			"storage.service_token (RELAIS_STORAGE_SERVICE_TOKEN) is required with -target=storage",
		}},
		{"catalog on PostgreSQL", []string{"-target=catalog", "-events.url=nats://nats:4222", "-catalog.db.driver=postgres"}, []string{
			"catalog.db.dsn (RELAIS_CATALOG_DB_DSN) is required with catalog.db.driver=postgres",
			"catalog.token_secret (RELAIS_CATALOG_TOKEN_SECRET) is required with -target=catalog",
		}},
		{"all on PostgreSQL", []string{"-catalog.db.driver=postgres", "-catalog.db.dsn=postgres://relais@db/relais"}, []string{
			"catalog.token_secret (RELAIS_CATALOG_TOKEN_SECRET) is required with -target=all",
		}},
		{"s3 without endpoint and bucket", []string{"-storage.blob.backend=s3"}, []string{
			"storage.blob.s3.endpoint (RELAIS_STORAGE_BLOB_S3_ENDPOINT) is required with storage.blob.backend=s3",
			"storage.blob.s3.bucket (RELAIS_STORAGE_BLOB_S3_BUCKET) is required with storage.blob.backend=s3",
		}},
		{"unknown blob backend", []string{"-storage.blob.backend=gcs"}, []string{`storage.blob.backend "gcs": want fs or s3`}},
		{"unknown storage driver", []string{"-target=storage", "-events.url=nats://nats:4222", "-storage.service_token=t", "-storage.db.driver=mysql"}, []string{
			`storage.db.driver "mysql": want sqlite or postgres`,
		}},
		{"unknown s3_downloads", []string{"-target=gateway", "-storage.service_token=t", "-gateway.s3_downloads=stream"}, []string{
			`gateway.s3_downloads "stream": want redirect or proxy`,
		}},
		{"gateway without addresses", []string{"-target=gateway", "-storage.service_token=t", "-gateway.catalog_addr=", "-gateway.storage_addr="}, []string{
			"gateway.catalog_addr (RELAIS_GATEWAY_CATALOG_ADDR) is required with -target=gateway",
			"gateway.storage_addr (RELAIS_GATEWAY_STORAGE_ADDR) is required with -target=gateway",
		}},
		{"session key not 32 bytes", []string{"-target=gateway", "-storage.service_token=t", "-gateway.session_key=c2hvcnQ="}, []string{
			"gateway.session_key: session key 1: 5 bytes, want 32", "(RELAIS_GATEWAY_SESSION_KEY)",
		}},
		{"demo apart", []string{"-target=catalog", "-demo.load"}, []string{"demo.load needs -target=all"}},
		{"unknown target", []string{"-target=nope"}, []string{`unknown target "nope"`}},
		{"search alone", []string{"-target=search"}, []string{"search.catalog_addr", "search.service_token", "events.url"}},
		{"meilisearch without url", []string{"-search.index.backend=meilisearch"}, []string{"search.index.meilisearch.url"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"-data_dir=" + dir}, tc.args...)
			err := Main(context.Background(), append([]string{"config"}, args...), io.Discard, io.Discard)
			if err == nil {
				t.Fatalf("relais config %v: accepted", tc.args)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("relais config %v:\n%v\nwant %q", tc.args, err, want)
				}
			}
			// New refuses it with the same message, before any I/O.
			cfg, lerr := loadConfig(args)
			if lerr != nil {
				t.Fatal(lerr)
			}
			if _, nerr := New(cfg, slog.New(slog.DiscardHandler)); nerr == nil || nerr.Error() != err.Error() {
				t.Errorf("New: %v\nrelais config: %v", nerr, err)
			}
			assertEmpty(t, dir)
		})
	}
}

// Complete configurations pass, without writing anything: the token files
// of the laptop mode are New's business.
func TestConfigAcceptsCompleteConfigurations(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"laptop defaults", nil},
		{"gateway", []string{"-target=gateway", "-storage.service_token=t", "-gateway.storage_addr=relais-storage:9092"}},
		{"catalog", []string{"-target=catalog", "-events.url=nats://nats:4222", "-catalog.db.driver=postgres",
			"-catalog.db.dsn=postgres://relais@db/relais", "-catalog.token_secret=s"}},
		{"storage on s3", []string{"-target=storage", "-events.url=nats://nats:4222", "-storage.service_token=t",
			"-storage.db.driver=postgres", "-storage.db.dsn=postgres://relais@db/relais", "-storage.blob.backend=s3",
			"-storage.blob.s3.endpoint=http://minio:9000", "-storage.blob.s3.bucket=relais"}},
		{"migrate on PostgreSQL needs no token", []string{"migrate", "-catalog.db.driver=postgres", "-catalog.db.dsn=postgres://relais@db/relais"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"config"}, tc.args...)
			args = append(args, "-data_dir="+dir)
			var out bytes.Buffer
			if err := Main(context.Background(), args, &out, io.Discard); err != nil {
				t.Fatalf("relais %v: %v", args, err)
			}
			if !strings.Contains(out.String(), "target: ") {
				t.Errorf("relais config prints the configuration, got %q", out.String())
			}
			if strings.Contains(out.String(), "service_token: t\n") {
				t.Error("relais config prints the storage token")
			}
			assertEmpty(t, dir)
		})
	}
	// `relais config` checks what running needs, `relais config migrate`
	// what `relais migrate` needs.
	err := Main(context.Background(), []string{"config", "-catalog.db.driver=postgres", "-catalog.db.dsn=postgres://relais@db/relais"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "catalog.token_secret") {
		t.Errorf("relais config (run) on PostgreSQL without a token secret: %v", err)
	}
	err = Main(context.Background(), []string{"config", "migrate", "-storage.db.driver=postgres"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "storage.db.dsn (RELAIS_STORAGE_DB_DSN)") {
		t.Errorf("relais config migrate without the storage DSN: %v", err)
	}
	if err := Main(context.Background(), []string{"config", "admin"}, io.Discard, io.Discard); err == nil {
		t.Error("relais config admin: accepted")
	}
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	if entries, err := os.ReadDir(dir); err != nil || len(entries) > 0 {
		t.Errorf("the checks wrote into the data directory: %v %v", entries, err)
	}
}
