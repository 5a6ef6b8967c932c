package config

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type testDB struct {
	DSN      string        `yaml:"dsn" secret:"true" usage:"database DSN"`
	MaxConns int           `yaml:"max_conns"`
	Timeout  time.Duration `yaml:"timeout"`
}

type testCatalog struct {
	DB      testDB   `yaml:"db"`
	Tags    []string `yaml:"tags"`
	Enabled bool     `yaml:"enabled"`
}

type testSearch struct {
	Backend string  `yaml:"backend"`
	Ratio   float64 `yaml:"ratio"`
}

type testCommon struct {
	Region string `yaml:"region"`
}

type testConfig struct {
	Target     string      `yaml:"target"`
	HTTPAddr   string      `yaml:"http_addr"`
	Catalog    testCatalog `yaml:"catalog"`
	Search     *testSearch `yaml:"search"`
	Port       *int        `yaml:"port"`
	Level      slog.Level  `yaml:"level"`
	Token      string      `yaml:"token" secret:"true"`
	Labels     map[string]string
	testCommon `yaml:",inline"`
	Ignored    string `yaml:"-"`
}

func defaults() testConfig {
	return testConfig{
		Target:   "all",
		HTTPAddr: ":8080",
		Catalog: testCatalog{
			DB:   testDB{DSN: "file:relais.db", MaxConns: 4, Timeout: 5 * time.Second},
			Tags: []string{"a", "b"},
		},
		Search: &testSearch{Backend: "embedded", Ratio: 1},
	}
}

func writeFile(t testing.TB, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "relais.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestLoadDefaultsOnly(t *testing.T) {
	cfg := defaults()
	require.NoError(t, Load(&cfg, Options{}))
	assert.Equal(t, defaults(), cfg)
}

func TestLoadPrecedence(t *testing.T) {
	file := writeFile(t, `
target: catalog
catalog:
  db:
    dsn: postgres://file
    max_conns: 10
    timeout: 10s
  tags: [x, y, z]
search:
  backend: meilisearch
region: file-region
labels:
  team: data
`)
	cfg := defaults()
	err := Load(&cfg, Options{
		File: file,
		Environ: []string{
			"PATH=/bin",
			"RELAIS_CATALOG_DB_DSN=postgres://env",
			"RELAIS_CATALOG_DB_TIMEOUT=20s",
			"RELAIS_CATALOG_TAGS=env1, env2",
			"RELAIS_HTTP_ADDR=:9999",
			"RELAIS_CATALOG_SERVICE_HOST=10.0.0.1", // Kubernetes service link: ignored
		},
		Args: []string{"-catalog.db.timeout=30s", "--search.ratio", "0.5", "-catalog.enabled", "--port=7"},
	})
	require.NoError(t, err)

	assert.Equal(t, "catalog", cfg.Target, "file over default")
	assert.Equal(t, 10, cfg.Catalog.DB.MaxConns, "file over default")
	assert.Equal(t, "postgres://env", cfg.Catalog.DB.DSN, "env over file")
	assert.Equal(t, []string{"env1", "env2"}, cfg.Catalog.Tags, "env over file")
	assert.Equal(t, ":9999", cfg.HTTPAddr, "env over default, tag with underscore")
	assert.Equal(t, 30*time.Second, cfg.Catalog.DB.Timeout, "flag over env over file")
	assert.Equal(t, "meilisearch", cfg.Search.Backend, "file into pointer section")
	assert.Equal(t, 0.5, cfg.Search.Ratio, "flag into pointer section, default kept by file")
	assert.True(t, cfg.Catalog.Enabled, "bare bool flag")
	require.NotNil(t, cfg.Port)
	assert.Equal(t, 7, *cfg.Port)
	assert.Equal(t, "file-region", cfg.Region, "inline field")
	assert.Equal(t, map[string]string{"team": "data"}, cfg.Labels, "file-only field")
}

func TestLoadAllocatesNilSections(t *testing.T) {
	var cfg testConfig
	require.NoError(t, Load(&cfg, Options{Environ: []string{"RELAIS_SEARCH_BACKEND=meilisearch"}}))
	require.NotNil(t, cfg.Search)
	assert.Equal(t, "meilisearch", cfg.Search.Backend)
}

func TestLoadTextUnmarshalerAndEmptySlice(t *testing.T) {
	cfg := defaults()
	require.NoError(t, Load(&cfg, Options{Args: []string{"-level=debug", "-catalog.tags="}, Environ: []string{"RELAIS_REGION=eu"}}))
	assert.Equal(t, "eu", cfg.Region, "inline unexported embedded struct")
	assert.Equal(t, slog.LevelDebug, cfg.Level)
	assert.Equal(t, []string{}, cfg.Catalog.Tags)
}

func TestLoadFileFromEnvAndFlag(t *testing.T) {
	fromEnv := writeFile(t, "target: env-file\n")
	fromFlag := writeFile(t, "target: flag-file\n")

	cfg := defaults()
	require.NoError(t, Load(&cfg, Options{File: "/nonexistent", Environ: []string{"RELAIS_CONFIG_FILE=" + fromEnv}}))
	assert.Equal(t, "env-file", cfg.Target)

	cfg = defaults()
	require.NoError(t, Load(&cfg, Options{Environ: []string{"RELAIS_CONFIG_FILE=" + fromEnv}, Args: []string{"-config.file", fromFlag}}))
	assert.Equal(t, "flag-file", cfg.Target)
}

func TestLoadEmptyFile(t *testing.T) {
	cfg := defaults()
	require.NoError(t, Load(&cfg, Options{File: writeFile(t, "# nothing yet\n")}))
	assert.Equal(t, defaults(), cfg)
}

func TestLoadMissingFile(t *testing.T) {
	cfg := defaults()
	err := Load(&cfg, Options{File: filepath.Join(t.TempDir(), "missing.yaml")})
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadUnknownFileKeys(t *testing.T) {
	file := writeFile(t, `
catalog:
  db:
    dns: x
  tag: [a]
serch:
  backend: meilisearch
`)
	cfg := defaults()
	err := Load(&cfg, Options{File: file})
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "line 4: unknown key catalog.db.dns (did you mean catalog.db.dsn?)")
	assert.Contains(t, msg, "line 5: unknown key catalog.tag (did you mean catalog.tags?)")
	assert.Contains(t, msg, "line 6: unknown key serch (did you mean search?)")
	assert.Equal(t, defaults(), cfg, "nothing applied from a rejected file")
}

func TestLoadUnknownKeysThroughMerge(t *testing.T) {
	file := writeFile(t, `
base: &base
  dsn: x
catalog:
  db:
    <<: *base
`)
	cfg := defaults()
	err := Load(&cfg, Options{File: file})
	require.ErrorContains(t, err, "unknown key base")

	file = writeFile(t, `
catalog:
  db: &db
    dsn: merged
search:
  backend: x
`)
	require.NoError(t, Load(&cfg, Options{File: file}))
	assert.Equal(t, "merged", cfg.Catalog.DB.DSN)
	assert.Equal(t, "x", cfg.Search.Backend)
	assert.Equal(t, 1.0, cfg.Search.Ratio, "default kept inside a pointer section")
	assert.Equal(t, 4, cfg.Catalog.DB.MaxConns, "default kept beside file keys")
}

func TestLoadFileTypeError(t *testing.T) {
	cfg := defaults()
	err := Load(&cfg, Options{File: writeFile(t, "catalog:\n  db:\n    max_conns: many\n")})
	require.ErrorContains(t, err, "line 3")
}

func TestLoadUnknownFlag(t *testing.T) {
	cfg := defaults()
	err := Load(&cfg, Options{Args: []string{"-catalog.db.dns=x"}})
	require.EqualError(t, err, "config: unknown flag -catalog.db.dns (did you mean -catalog.db.dsn?)")

	err = Load(&cfg, Options{Args: []string{"--dsn", "x"}})
	require.ErrorContains(t, err, "did you mean -catalog.db.dsn?")

	err = Load(&cfg, Options{Args: []string{"-zzzzzzzzzzzz"}})
	require.EqualError(t, err, "config: unknown flag -zzzzzzzzzzzz (-help lists the flags)")
}

func TestLoadArgErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, `unexpected argument "serve"`},
		{[]string{"--", "x"}, `unexpected argument "x"`},
		{[]string{"-target"}, "flag -target needs a value"},
		{[]string{"---target=x"}, "bad flag syntax"},
		{[]string{"-=x"}, "bad flag syntax"},
		{[]string{"-catalog.db.max_conns=ten"}, `flag -catalog.db.max_conns: invalid int "ten": invalid syntax`},
		{[]string{"-catalog.db.timeout=5"}, `invalid duration "5"`},
		{[]string{"-catalog.enabled=maybe"}, `invalid bool "maybe"`},
		{[]string{"-labels=x"}, "flag -labels: type map[string]string can only be set from the config file"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cfg := defaults()
			require.ErrorContains(t, Load(&cfg, Options{Args: tc.args}), tc.want)
		})
	}
}

func TestLoadHelp(t *testing.T) {
	cfg := defaults()
	require.ErrorIs(t, Load(&cfg, Options{Args: []string{"-h"}}), ErrHelp)
	require.ErrorIs(t, Load(&cfg, Options{Args: []string{"--help"}}), ErrHelp)
}

func TestLoadEnvErrors(t *testing.T) {
	cfg := defaults()
	err := Load(&cfg, Options{Environ: []string{"RELAIS_CATALOG_DB_MAX_CONNS=99999999999999999999", "RELAIS_SEARCH_RATIO=x"}})
	require.ErrorContains(t, err, "env RELAIS_CATALOG_DB_MAX_CONNS: invalid int")
	require.ErrorContains(t, err, "value out of range")
	require.ErrorContains(t, err, "env RELAIS_SEARCH_RATIO: invalid float64")
}

func TestLoadCustomPrefix(t *testing.T) {
	cfg := defaults()
	require.NoError(t, Load(&cfg, Options{EnvPrefix: "X", Environ: []string{"X_TARGET=gateway", "RELAIS_TARGET=no"}}))
	assert.Equal(t, "gateway", cfg.Target)
}

func TestLoadRejectsBadTypes(t *testing.T) {
	var s string
	require.Error(t, Load(&s, Options{}))
	require.Error(t, Load(nil, Options{}))

	type clash struct {
		AB struct {
			C string `yaml:"c"`
		} `yaml:"a_b"`
		A struct {
			BC string `yaml:"b_c"`
		} `yaml:"a"`
	}
	require.ErrorContains(t, Load(&clash{}, Options{}), "both map to env RELAIS_A_B_C")

	type loop struct {
		Next *loop `yaml:"next"`
	}
	require.ErrorContains(t, Load(&loop{}, Options{}), "recursive type")
}

func TestPrintRedactsSecrets(t *testing.T) {
	cfg := defaults()
	cfg.Token = ""
	var buf bytes.Buffer
	require.NoError(t, Print(&buf, &cfg))
	out := buf.String()
	assert.Contains(t, out, "dsn: <redacted>")
	assert.NotContains(t, out, "relais.db")
	assert.Contains(t, out, `token: ""`, "empty secret is shown empty")
	assert.Contains(t, out, "timeout: 5s")
	assert.Contains(t, out, "http_addr: :8080")
	assert.Contains(t, out, "region: \"\"")
	assert.NotContains(t, out, "ignored")

	// The output is a loadable config file.
	cfg2 := testConfig{}
	require.NoError(t, Load(&cfg2, Options{File: writeFile(t, out)}))
	assert.Equal(t, 5*time.Second, cfg2.Catalog.DB.Timeout)
	assert.Equal(t, Redacted, cfg2.Catalog.DB.DSN)
}

func TestUsage(t *testing.T) {
	cfg := defaults()
	var buf bytes.Buffer
	require.NoError(t, Usage(&buf, &cfg, ""))
	out := buf.String()
	assert.Contains(t, out, "-catalog.db.dsn")
	assert.Contains(t, out, "RELAIS_CATALOG_DB_DSN")
	assert.Contains(t, out, "database DSN")
	assert.Contains(t, out, Redacted)
	assert.Contains(t, out, "a,b")
	assert.Contains(t, out, "(file only)")
	assert.Contains(t, out, "-config.file")
}

func TestSuggest(t *testing.T) {
	names := []string{"catalog.db.dsn", "catalog.db.timeout", "search.backend", "target"}
	assert.Equal(t, []string{"target"}, suggest("traget", names))
	assert.Equal(t, []string{"catalog.db.timeout"}, suggest("timeout", names))
	assert.Empty(t, suggest("zzzzzzzz", names))
	assert.Equal(t, 3, editDistance("kitten", "sitting"))
}

func TestErrorsWrapHelp(t *testing.T) {
	cfg := defaults()
	err := Load(&cfg, Options{Args: []string{"-help"}})
	assert.True(t, errors.Is(err, ErrHelp))
}
