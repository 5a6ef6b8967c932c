package relais

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/search"
)

// SearchConfig is the search service's configuration (its indexes, its
// ledger database, its token) and where it listens and finds the catalog.
type SearchConfig struct {
	search.Config `yaml:",inline"`
	GRPCAddr      string `yaml:"grpc_addr" usage:"gRPC listen address of the search service"`
	// Addr is where the gateway of -target=gateway and `relais search`
	// reach the search service; with -target=gateway an empty one leaves
	// search disabled (its endpoints answer 501, as udata's without search).
	Addr        string `yaml:"addr" usage:"gRPC address of the search service (-target=gateway, relais search), or several (host:port,host:port: calls balanced round robin); empty disables search in -target=gateway"`
	CatalogAddr string `yaml:"catalog_addr" usage:"gRPC address of the catalog (-target=search)"`
}

// searchModule is the search service of a running target, its connection
// to the catalog, and the gateway's connection to it.
type searchModule struct {
	db      *sqldb.DB
	svc     *search.Service
	grpc    *grpcx.Server
	addr    net.Addr
	catalog *grpc.ClientConn
	stop    context.CancelFunc
	done    chan error
	gw      *grpc.ClientConn // the gateway's
}

// SearchGRPCAddr is the search service's gRPC listen address once started
// (nil in targets that do not run it).
func (r *Relais) SearchGRPCAddr() net.Addr { return r.se.addr }

func (r *Relais) startSearchDB(ctx context.Context) (err error) {
	r.se.db, err = sqldb.Open(ctx, r.cfg.Search.DB)
	if err != nil {
		return fmt.Errorf("search database: %w", err)
	}
	return nil
}

func (r *Relais) stopSearchDB(context.Context) error { return r.se.db.Close() }

// startSearch opens the indexes, serves the search service on its own gRPC
// server and runs its consumer of catalog events. It reads the catalog of
// this process when it runs one, else search.catalog_addr.
func (r *Relais) startSearch(ctx context.Context) error {
	log := r.log.With("service", "search")
	cfg := r.cfg.Search.Config
	if cfg.ServiceToken == "" {
		cfg.ServiceToken = r.cfg.Storage.ServiceToken
	}
	target := r.cfg.Search.CatalogAddr
	if r.grpcAddr != nil {
		target = r.grpcAddr.String()
	}
	conn, err := grpcx.Dial(target)
	if err != nil {
		return fmt.Errorf("search: dial catalog %s: %w", target, err)
	}
	r.se.catalog = conn
	svc, err := search.New(ctx, cfg, search.Deps{DB: r.se.db, Bus: r.bus, Catalog: catalogv1.NewCatalogServiceClient(conn), Log: log})
	if err != nil {
		return err
	}
	r.se.svc = svc
	r.se.grpc = grpcx.NewServer(grpcx.ServerOptions{Log: log})
	svc.Register(r.se.grpc)
	r.se.grpc.Health.SetServingStatus(searchv1.SearchService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	ln, err := grpcx.Listen(r.cfg.Search.GRPCAddr)
	if err != nil {
		return fmt.Errorf("search grpc: %w", err)
	}
	r.se.addr = ln.Addr()
	go func() {
		if err := r.se.grpc.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			log.Error("search grpc server stopped", "err", err)
		}
	}()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.se.stop = cancel
	r.se.done = make(chan error, 1)
	go func() { r.se.done <- svc.Run(runCtx) }()
	log.Info("search listening", "grpc_addr", r.se.addr.String(), "backend", searchBackend(cfg.Index.Backend), "durable", cfg.Durable)
	return nil
}

func (r *Relais) stopSearch(ctx context.Context) error {
	_ = r.se.grpc.Shutdown(ctx)
	r.se.stop()
	var err error
	select {
	case err = <-r.se.done:
		if errors.Is(err, context.Canceled) {
			err = nil
		}
	case <-ctx.Done():
		err = fmt.Errorf("search run: %w", ctx.Err())
	}
	return errors.Join(err, r.se.svc.Close(), r.se.catalog.Close())
}

// searchReady is the search module's readiness: its consumer has caught
// up with the stream (search.Service.Ready), so that a new replica of the
// embedded backend answers no search from a partial index.
func (r *Relais) searchReady() bool { return r.se.svc != nil && r.se.svc.Ready() }

// dialSearch connects the gateway to the search service: the one of this
// process when it runs one, else search.addr; nil (search disabled) when
// neither is there.
func (r *Relais) dialSearch() (searchv1.SearchServiceClient, error) {
	target := r.cfg.Search.Addr
	if r.se.addr != nil {
		target = r.se.addr.String()
	}
	if target == "" {
		return nil, nil
	}
	conn, err := grpcx.Dial(target)
	if err != nil {
		return nil, fmt.Errorf("dial search %s: %w", target, err)
	}
	r.se.gw = conn
	return searchv1.NewSearchServiceClient(conn), nil
}

func (r *Relais) closeSearchConn() error {
	if r.se.gw == nil {
		return nil
	}
	return r.se.gw.Close()
}

func searchBackend(b string) string {
	if b == "" {
		return searchindex.BackendEmbedded
	}
	return b
}

// finishSearch fills the search defaults that depend on the data
// directory: its SQLite ledger and its embedded indexes.
func (c *Config) finishSearch() {
	if c.Search.DB.Driver == "" {
		c.Search.DB.Driver = "sqlite"
	}
	if c.Search.DB.Driver == "sqlite" && c.Search.DB.DSN == "" {
		c.Search.DB.DSN = filepath.Join(c.DataDir, "search.db")
	}
	if c.Search.Durable == "" {
		c.Search.Durable = search.DefaultDurable
	}
	c.Search.Index.Backend = searchBackend(c.Search.Index.Backend)
	if c.Search.Index.Backend == searchindex.BackendEmbedded && c.Search.Index.Dir == "" {
		c.Search.Index.Dir = filepath.Join(c.DataDir, "search")
	}
}

// checkSearch checks the search settings of the targets that run it.
func (c *Config) checkSearch() []error {
	errs := []error{checkDB("search.db", c.Search.DB)}
	if err := search.CheckDurable(c.Search.Durable); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", setting("search.durable"), err))
	}
	switch c.Search.Index.Backend {
	case searchindex.BackendEmbedded:
	case searchindex.BackendMeilisearch:
		if c.Search.Index.Meilisearch.URL == "" {
			errs = append(errs, fmt.Errorf("%s is required with search.index.backend=meilisearch", setting("search.index.meilisearch.url")))
		}
	default:
		errs = append(errs, fmt.Errorf("search.index.backend %q: want embedded or meilisearch", c.Search.Index.Backend))
	}
	if c.Target == "search" {
		for _, kv := range [][2]string{{"search.catalog_addr", c.Search.CatalogAddr}, {"search.service_token", c.Search.ServiceToken}, {"events.url", c.Events.URL}} {
			if kv[1] == "" {
				errs = append(errs, fmt.Errorf("%s is required with -target=search", setting(kv[0])))
			}
		}
	}
	return errs
}

// searchCommand runs `relais search reindex|verify [--repair] [config
// flags]` against a running search service (search.addr, else
// search.grpc_addr): the index lives in that process, so the commands go
// through its admin RPCs.
func searchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: relais search reindex | verify [--repair] [config flags]"
	if len(args) == 0 || (args[0] != "reindex" && args[0] != "verify") {
		return errors.New(usage)
	}
	sub, args := args[0], args[1:]
	repair := false
	var rest []string
	for _, a := range args {
		if sub == "verify" && (a == "--repair" || a == "-repair") {
			repair = true
			continue
		}
		rest = append(rest, a)
	}
	cfg, err := loadConfig(rest)
	if err != nil {
		return err
	}
	if err := cfg.finish(); err != nil {
		return err
	}
	if err := cfg.ensureServiceToken(); err != nil {
		return err
	}
	token := cfg.Search.ServiceToken
	if token == "" {
		token = cfg.Storage.ServiceToken
	}
	addr := cfg.Search.Addr
	if addr == "" {
		addr = cfg.Search.GRPCAddr // the laptop mode's own
	}
	conn, err := grpcx.Dial(addr)
	if err != nil {
		return fmt.Errorf("dial search %s: %w", addr, err)
	}
	defer conn.Close()
	client := searchv1.NewSearchServiceClient(conn)
	ctx = search.WithServiceToken(ctx, token)
	if sub == "reindex" {
		return Reindex(ctx, client, stdout, stderr)
	}
	return Verify(ctx, client, repair, stdout)
}

// Reindex runs a reindex through client, drawing its progress on stderr
// (done/total, rate, time left) and a summary on stdout.
func Reindex(ctx context.Context, client searchv1.SearchServiceClient, stdout, stderr io.Writer) error {
	start := time.Now()
	stream, err := client.Reindex(ctx, &searchv1.ReindexRequest{})
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	bar := progressBar{w: stderr, last: start}
	counts := map[string]int64{}
	for {
		p, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bar.end()
			return fmt.Errorf("reindex: %w", err)
		}
		if p.GetPhase() == "swapped" {
			continue
		}
		counts[p.GetPhase()] = p.GetDone()
		bar.draw(p.GetPhase(), p.GetDone(), p.GetTotal())
	}
	bar.end()
	_, err = fmt.Fprintf(stdout, "reindexed %d datasets, %d organizations and %d reuses in %s; the new indexes are live\n",
		counts["dataset"], counts["organization"], counts["reuse"], time.Since(start).Round(time.Millisecond))
	return err
}

// progressBar draws one line of progress, redrawn in place. A phase's
// rate counts from the end of the previous one (or the command's start).
type progressBar struct {
	w           io.Writer
	phase       string
	start, last time.Time
	drawn       bool
}

const barWidth = 30

func (b *progressBar) draw(phase string, done, total int64) {
	if phase != b.phase {
		b.end()
		b.phase, b.start = phase, b.last
	}
	b.last = time.Now()
	frac := 1.0
	if total > 0 {
		frac = min(1, float64(done)/float64(total))
	}
	elapsed := time.Since(b.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed
	}
	eta := "?"
	if rate > 0 {
		eta = time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	filled := int(frac * barWidth)
	fmt.Fprintf(b.w, "\r%-13s [%s%s] %d/%d %3.0f%% %.0f/s ETA %s  ", phase+"s", strings.Repeat("=", filled),
		strings.Repeat(" ", barWidth-filled), done, total, 100*frac, rate, eta)
	b.drawn = true
}

func (b *progressBar) end() {
	if b.drawn {
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}

// Verify asks the search service to compare its indexes with the catalog
// (and to repair them) and prints the report.
func Verify(ctx context.Context, client searchv1.SearchServiceClient, repair bool, stdout io.Writer) error {
	rep, err := client.Verify(ctx, &searchv1.VerifyRequest{Repair: repair})
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	fmt.Fprintf(stdout, "checked %d searchable records of the catalog\n", rep.GetChecked())
	for _, l := range []struct {
		name string
		ids  []string
	}{{"missing", rep.GetMissing()}, {"stale", rep.GetStale()}, {"extra", rep.GetExtra()}} {
		fmt.Fprintf(stdout, "%s: %d\n", l.name, len(l.ids))
		for _, id := range l.ids {
			fmt.Fprintf(stdout, "  %s\n", id)
		}
	}
	if repair {
		fmt.Fprintf(stdout, "repaired: %d\n", rep.GetRepaired())
	}
	fmt.Fprintf(stdout, "documents in the indexes: %d (expected %d)\n", rep.GetIndexedDocuments(), rep.GetExpectedDocuments())
	if rep.GetIndexedDocuments() != rep.GetExpectedDocuments() {
		fmt.Fprintln(stdout, "the indexes lost documents: run relais search reindex")
	}
	return nil
}
