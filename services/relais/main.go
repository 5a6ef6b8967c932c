package relais

import (
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/relais-data/relais/pkg/config"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/log"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/analytics"
	"github.com/relais-data/relais/services/catalog"
	"github.com/relais-data/relais/services/harvest"
	"github.com/relais-data/relais/services/preview"
	"github.com/relais-data/relais/services/relais/internal/demo"
	"github.com/relais-data/relais/services/search"
	"github.com/relais-data/relais/services/storage"
)

// Version is set at build time (-ldflags "-X …relais.Version=…").
var Version = "dev"

// Main runs the command line: `relais [flags]` runs the target; `relais
// config`, `relais admin …` and `relais version` are subcommands.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "", "run":
		return run(ctx, args, stdout, stderr)
	case "config":
		return printConfig(args, stdout)
	case "admin":
		return admin(ctx, args, stdout)
	case "migrate":
		return migrateDB(ctx, args, stdout)
	case "search":
		return searchCommand(ctx, args, stdout, stderr)
	case "import":
		return importExport(ctx, args, stdout)
	case "harvest":
		return harvestCommand(ctx, args, stdout)
	case "version":
		_, err := fmt.Fprintln(stdout, "relais", Version)
		return err
	default:
		return fmt.Errorf("unknown command %q (commands: run, config [run|migrate], admin, migrate, import, search, harvest, version)", cmd)
	}
}

// printConfig runs `relais config [run|migrate] [config flags]`: it prints
// the effective configuration once it passes the checks the command makes
// before any I/O — running the target (the default: Validate, what New
// checks) or `relais migrate` — so that a deployment's configuration (the
// Helm chart's, pod by pod) is checked without starting anything.
func printConfig(args []string, stdout io.Writer) error {
	check := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		check, args = args[0], args[1:]
	}
	cfg, err := loadConfig(args)
	if err != nil {
		return err
	}
	switch check {
	case "run":
		err = cfg.Validate()
	case "migrate":
		err = cfg.checkMigrate()
	default:
		return fmt.Errorf("relais config %s: want run (the default) or migrate", check)
	}
	if err != nil {
		return err
	}
	return config.Print(stdout, cfg)
}

func loadConfig(args []string) (Config, error) {
	cfg := DefaultConfig()
	err := config.Load(&cfg, config.Options{EnvPrefix: "RELAIS", Environ: os.Environ(), Args: args})
	return cfg, err
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(args)
	if err != nil {
		return err
	}
	logger, err := log.New(cfg.Log, stderr)
	if err != nil {
		return err
	}
	r, err := New(cfg, logger)
	if err != nil {
		return err
	}
	go func() {
		select {
		case <-r.Started():
			printWelcome(stdout, r)
		case <-ctx.Done():
		}
	}()
	return r.Run(ctx)
}

func printWelcome(w io.Writer, r *Relais) {
	if r.HTTPAddr() != nil {
		base := strings.TrimSuffix(r.cfg.Gateway.PublicURL, "/")
		fmt.Fprintf(w, "\nRelais is running: %s/ (API: %s/api/1/datasets/)\n", base, base)
	}
	if d := r.Demo(); d.AdminToken != "" {
		fmt.Fprintf(w, "Demo data: %d datasets of %d collectivités (%d new) loaded in %s.\n",
			d.Stats.DatasetsCreated+d.Stats.DatasetsSkipped,
			d.Stats.OrganizationsCreated+d.Stats.OrganizationsSkipped, d.Stats.DatasetsCreated, d.Took.Round(1e6))
		fmt.Fprintf(w, "Admin API token (header X-API-KEY): %s\n", d.AdminToken)
		fmt.Fprintln(w, r.demoSignIn())
		fmt.Fprintf(w, "Try: curl -H 'X-API-KEY: %s' %s/api/1/me/\n", d.AdminToken, strings.TrimSuffix(r.cfg.Gateway.PublicURL, "/"))
	}
	fmt.Fprintln(w, "Stop with Ctrl-C.")
}

// admin runs `relais admin create-user`: it writes straight to the
// catalog's database, so it works before any service runs. For an existing
// user it issues one more token.
func admin(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "set-password" {
		return setPassword(ctx, args[1:], os.Stdin, stdout)
	}
	if len(args) == 0 || args[0] != "create-user" {
		return errors.New("usage: relais admin create-user --email E [--sysadmin] [--first-name F --last-name L] [config flags]\n" +
			"       relais admin set-password --email E --password-stdin [config flags]")
	}
	fs := flag.NewFlagSet("create-user", flag.ContinueOnError)
	email := fs.String("email", "", "email of the user (required)")
	sysadmin := fs.Bool("sysadmin", false, "make the user a sysadmin")
	firstName := fs.String("first-name", "", "first name (for a new user; udata's PUT /me requires one)")
	lastName := fs.String("last-name", "", "last name (for a new user)")
	var rest []string
	for i := 1; i < len(args); i++ { // own flags first, the rest is configuration
		name := strings.TrimLeft(strings.SplitN(args[i], "=", 2)[0], "-")
		if fs.Lookup(name) == nil {
			rest = append(rest, args[i])
			continue
		}
		if err := fs.Parse(args[i : i+1+valueArgs(fs, args, i)]); err != nil {
			return err
		}
		i += valueArgs(fs, args, i)
	}
	if *email == "" {
		return errors.New("create-user: --email is required")
	}
	cfg, db, err := openCatalogDB(ctx, rest)
	if err != nil {
		return err
	}
	defer db.Close()
	id, token, err := catalog.BootstrapUser(ctx, db, cfg.Catalog.TokenSecret, catalog.NewUser{
		Email: *email, FirstName: *firstName, LastName: *lastName, Sysadmin: *sysadmin,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (id %s) ready\nAPI token (shown once): %s\n", *email, id, token)
	return nil
}

// migrateDB runs `relais migrate [config flags]`: it brings the catalog's
// and the storage service's databases (the same one, or two) to the
// current schema version and exits. Services migrate at start too; the Helm
// chart runs this as a pre-install/pre-upgrade Job so that new pods start
// on migrated databases.
func migrateDB(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, err := loadConfig(args)
	if err != nil {
		return err
	}
	if err := cfg.checkMigrate(); err != nil {
		return err
	}
	for _, s := range []struct {
		name    string
		db      sqldb.Config
		migrate func(context.Context, *sqldb.DB) error
	}{
		{"catalog", cfg.Catalog.DB, catalog.Migrate},
		{"storage", cfg.Storage.DB, storage.Migrate},
		{"search", cfg.Search.DB, search.Migrate},
		{"preview", cfg.Preview.DB, preview.Migrate},
		{"analytics", cfg.Analytics.DB, analytics.Migrate},
		{"harvest", cfg.Harvest.DB, harvest.Migrate},
	} {
		start := time.Now()
		db, err := sqldb.Open(ctx, s.db)
		if err != nil {
			return fmt.Errorf("migrate: open %s database: %w", s.name, err)
		}
		err = s.migrate(ctx, db)
		db.Close()
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		fmt.Fprintf(stdout, "%s database (%s) migrated in %s\n", s.name, s.db.Driver, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// valueArgs is 1 when the flag at args[i] takes its value from the next
// argument ("--email x"), else 0.
func valueArgs(fs *flag.FlagSet, args []string, i int) int {
	a := args[i]
	if strings.Contains(a, "=") || i+1 >= len(args) {
		return 0
	}
	f := fs.Lookup(strings.TrimLeft(a, "-"))
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return 0
	}
	return 1
}

// importExport runs `relais import --file F --token T`: it streams a
// data.gouv.fr catalogue export (CSV, optionally gzipped) into a running
// catalog over gRPC.
func importExport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	file := fs.String("file", "", "data.gouv.fr export of datasets (.csv or .csv.gz)")
	token := fs.String("token", os.Getenv("RELAIS_API_TOKEN"), "sysadmin API token (or RELAIS_API_TOKEN)")
	addr := fs.String("catalog", "127.0.0.1:9091", "catalog gRPC address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || *token == "" {
		return errors.New("usage: relais import --file export.csv.gz --token udata_… [--catalog host:port]")
	}
	stats, took, err := ImportFile(ctx, *addr, *token, *file, func(s demo.Stats) {
		fmt.Fprintf(stdout, "\r%d datasets read", s.Read)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\rimported %s in %s: %d datasets created, %d skipped; %d organizations created, %d skipped\n",
		*file, took.Round(time.Millisecond), stats.DatasetsCreated, stats.DatasetsSkipped, stats.OrganizationsCreated, stats.OrganizationsSkipped)
	return nil
}

// ImportFile imports a data.gouv.fr export file through the catalog at addr.
func ImportFile(ctx context.Context, addr, token, file string, progress func(demo.Stats)) (demo.Stats, time.Duration, error) {
	start := time.Now()
	f, err := os.Open(file)
	if err != nil {
		return demo.Stats{}, 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(file, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return demo.Stats{}, 0, fmt.Errorf("%s: %w", file, err)
		}
		r = gz
	}
	rd, err := demo.NewReader(r)
	if err != nil {
		return demo.Stats{}, 0, err
	}
	conn, err := grpcx.Dial(addr)
	if err != nil {
		return demo.Stats{}, 0, err
	}
	defer conn.Close()
	im := demo.Importer{Catalog: catalogv1.NewCatalogServiceClient(conn), Progress: progress}
	stats, err := im.Import(grpcx.WithAPIKey(ctx, token), rd)
	return stats, time.Since(start), err
}

// openCatalogDB reads the configuration of args and opens the catalog's
// database, as the admin commands that write it directly need.
func openCatalogDB(ctx context.Context, args []string) (Config, *sqldb.DB, error) {
	cfg, err := loadConfig(args)
	if err != nil {
		return cfg, nil, err
	}
	if err := cfg.finish(); err != nil {
		return cfg, nil, err
	}
	if err := cfg.ensureTokenSecret(); err != nil {
		return cfg, nil, err
	}
	db, err := sqldb.Open(ctx, cfg.Catalog.DB)
	return cfg, db, err
}
