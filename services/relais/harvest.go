package relais

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	harvestv1 "github.com/relais-data/relais/proto/relais/harvest/v1"
	"github.com/relais-data/relais/services/harvest"
)

// HarvestConfig is the harvest service's configuration and where it
// listens.
type HarvestConfig struct {
	harvest.Config `yaml:",inline"`
	GRPCAddr       string `yaml:"grpc_addr" usage:"gRPC listen address of the harvest service"`
	// CatalogAddr is the catalog -target=harvest writes to (with
	// catalog_api_key).
	CatalogAddr string `yaml:"catalog_addr" usage:"gRPC address of the catalog harvested datasets are written to (-target=harvest)"`
}

// harvestModule is the harvest service of a running target.
type harvestModule struct {
	db   *sqldb.DB
	grpc *grpcx.Server
	addr net.Addr
	stop context.CancelFunc
	done chan error
	conn *grpc.ClientConn // to the catalog
}

// HarvestGRPCAddr is the harvest service's gRPC listen address once
// started (nil in targets that do not run it).
func (r *Relais) HarvestGRPCAddr() net.Addr { return r.hv.addr }

func (r *Relais) startHarvestDB(ctx context.Context) (err error) {
	r.hv.db, err = sqldb.Open(ctx, r.cfg.Harvest.DB)
	if err != nil {
		return fmt.Errorf("harvest database: %w", err)
	}
	return nil
}

func (r *Relais) stopHarvestDB(context.Context) error { return r.hv.db.Close() }

// startHarvest serves the harvest service on its own gRPC server (its API
// is for sysadmins, checked with the catalog) and runs its jobs.
func (r *Relais) startHarvest(ctx context.Context) error {
	log := r.log.With("service", "harvest")
	cfg := r.cfg.Harvest.Config
	target := r.cfg.Harvest.CatalogAddr
	if r.grpcAddr != nil {
		target = r.grpcAddr.String() // this process's catalog, over loopback gRPC
		if cfg.CatalogAPIKey == "" {
			key, err := r.serviceCatalogKey(ctx, "harvest")
			if err != nil {
				return fmt.Errorf("harvest catalog token: %w", err)
			}
			cfg.CatalogAPIKey = key
		}
	}
	conn, err := grpcx.Dial(target)
	if err != nil {
		return fmt.Errorf("harvest: dial catalog %s: %w", target, err)
	}
	r.hv.conn = conn
	svc, err := harvest.New(ctx, cfg, harvest.Deps{DB: r.hv.db, Bus: r.bus, Catalog: catalogv1.NewCatalogServiceClient(conn), Log: log})
	if err != nil {
		return err
	}
	r.hv.grpc = grpcx.NewServer(grpcx.ServerOptions{Log: log, Authenticate: svc.Authenticate})
	svc.Register(r.hv.grpc)
	r.hv.grpc.Health.SetServingStatus(harvestv1.HarvestService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	ln, err := grpcx.Listen(r.cfg.Harvest.GRPCAddr)
	if err != nil {
		return fmt.Errorf("harvest grpc: %w", err)
	}
	r.hv.addr = ln.Addr()
	go func() {
		if err := r.hv.grpc.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			log.Error("harvest grpc server stopped", "err", err)
		}
	}()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.hv.stop = cancel
	r.hv.done = make(chan error, 1)
	go func() { r.hv.done <- svc.Run(runCtx) }()
	log.Info("harvest listening", "grpc_addr", r.hv.addr.String())
	return nil
}

func (r *Relais) stopHarvest(ctx context.Context) error {
	_ = r.hv.grpc.Shutdown(ctx)
	r.hv.stop()
	select {
	case err := <-r.hv.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("harvest run: %w", err)
		}
	case <-ctx.Done():
		return fmt.Errorf("harvest run: %w", ctx.Err())
	}
	return r.hv.conn.Close()
}

// finishHarvest fills the harvest defaults that depend on the data
// directory: its SQLite file.
func (c *Config) finishHarvest() {
	if c.Harvest.DB.Driver == "" {
		c.Harvest.DB.Driver = "sqlite"
	}
	if c.Harvest.DB.Driver == "sqlite" && c.Harvest.DB.DSN == "" {
		c.Harvest.DB.DSN = filepath.Join(c.DataDir, "harvest.db")
	}
}

const harvestUsage = `usage: relais harvest <command> [flags]
  sources                                   list the sources
  add -id ID -kind udata|dcat|csw-dcat|ckan|dcatus -url URL -organization ORG_ID
      [-name N] [-organizations a,b] [-sirets s1,s2] [-page-size N]
      [-auto] [-keep] [-every 24h]            add a source
  remove ID                                 remove a source (its datasets stay)
  run SOURCE_ID                             start a run (a job)
  runs [SOURCE_ID]                          list runs
  status RUN_ID                             a run's progress and report
  items RUN_ID [-status planned]            a run's plan, with each item's diff
  approve RUN_ID [SEQ...]                   approve items (all when none given)
common flags: -addr host:port (default 127.0.0.1:9097) -token T (or RELAIS_API_TOKEN: a sysadmin's)`

// harvestCommand runs `relais harvest …` against the harvest service's
// admin API, printing its answers as JSON.
func harvestCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(harvestUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("harvest "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:9097", "harvest service gRPC address")
	token := fs.String("token", os.Getenv("RELAIS_API_TOKEN"), "a sysadmin's API token")
	src := &harvestv1.Source{}
	var every time.Duration
	var orgs, sirets, itemStatus string
	var keep bool
	var pageSize int
	if sub == "add" {
		fs.StringVar(&src.Id, "id", "", "source id")
		fs.StringVar(&src.Name, "name", "", "source name")
		fs.StringVar(&src.Kind, "kind", "", "udata, dcat, csw-dcat, ckan or dcatus")
		fs.StringVar(&src.Url, "url", "", "source URL")
		fs.StringVar(&src.Organization, "organization", "", "local organization id")
		fs.StringVar(&orgs, "organizations", "", "remote organizations, comma-separated")
		fs.StringVar(&sirets, "sirets", "", "SIRETs of remote organizations, comma-separated")
		fs.BoolVar(&src.AutoApply, "auto", false, "apply runs without approval")
		fs.BoolVar(&keep, "keep", false, "keep datasets gone from the source instead of archiving them")
		fs.DurationVar(&every, "every", 0, "schedule a run this often")
		fs.IntVar(&pageSize, "page-size", 0, "page size asked of the source")
	}
	if sub == "items" {
		fs.StringVar(&itemStatus, "status", "", "only items in this status")
	}
	var pos []string
	for len(args) > 0 { // positional arguments may come before or after flags
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("%w\n%s", err, harvestUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if *token == "" {
		return errors.New("a sysadmin's API token is required (-token or RELAIS_API_TOKEN)")
	}
	conn, err := grpcx.Dial(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	client := harvestv1.NewHarvestServiceClient(conn)
	ctx = grpcx.WithAPIKey(ctx, *token)
	arg := func(i int) (string, error) {
		if len(pos) <= i {
			return "", errors.New(harvestUsage)
		}
		return pos[i], nil
	}
	var resp any
	switch sub {
	case "sources":
		resp, err = client.ListSources(ctx, &harvestv1.ListSourcesRequest{})
	case "add":
		src.Organizations, src.Sirets = splitList(orgs), splitList(sirets)
		src.EverySeconds = int64(every / time.Second)
		if keep {
			src.OnDeletion = "keep"
		}
		src.PageSize = int32(pageSize)
		resp, err = client.CreateSource(ctx, &harvestv1.CreateSourceRequest{Source: src})
	case "remove":
		var id string
		if id, err = arg(0); err == nil {
			resp, err = client.DeleteSource(ctx, &harvestv1.DeleteSourceRequest{SourceId: id})
		}
	case "run":
		var id string
		if id, err = arg(0); err == nil {
			resp, err = client.StartRun(ctx, &harvestv1.StartRunRequest{SourceId: id})
		}
	case "runs":
		id, _ := arg(0)
		resp, err = client.ListRuns(ctx, &harvestv1.ListRunsRequest{SourceId: id})
	case "status":
		var id string
		if id, err = arg(0); err == nil {
			resp, err = client.GetRun(ctx, &harvestv1.GetRunRequest{RunId: id})
		}
	case "items":
		var id string
		if id, err = arg(0); err == nil {
			resp, err = client.ListItems(ctx, &harvestv1.ListItemsRequest{RunId: id, Status: itemStatus})
		}
	case "approve":
		var id string
		if id, err = arg(0); err == nil {
			req := &harvestv1.ApproveRequest{RunId: id}
			for _, s := range pos[1:] {
				n, perr := strconv.ParseInt(s, 10, 64)
				if perr != nil {
					return fmt.Errorf("item %q: not a number", s)
				}
				req.Seqs = append(req.Seqs, n)
			}
			resp, err = client.Approve(ctx, req)
		}
	default:
		return fmt.Errorf("unknown harvest command %q\n%s", sub, harvestUsage)
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(resp)
}

// splitList reads a comma-separated list.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
