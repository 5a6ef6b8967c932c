package api_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/catalogexport"
	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway"
	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
)

// exportPath is data.gouv.fr's catalogue export in ../shared/data.
const exportPath = "../../../../../shared/data/catalog/datagouv-export-dataset-20260116-sample-1in5.csv.gz"

// loadExport imports the export's datasets and organizations into the
// catalog (with one resource per listed format) and returns how many.
func loadExport(b *testing.B, env *gatewaytest.Env) int {
	f, err := os.Open(exportPath)
	if errors.Is(err, os.ErrNotExist) {
		b.Skipf("%s absent", exportPath)
	}
	require.NoError(b, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(b, err)
	rd, err := catalogexport.NewReader(gz)
	require.NoError(b, err)
	ctx := grpcx.WithAPIKey(context.Background(), env.AdminToken)
	orgs := map[string]bool{}
	n := 0
	send := func(req *catalogv1.ImportRequest) {
		stream, err := env.Catalog.Import(ctx)
		require.NoError(b, err)
		require.NoError(b, stream.Send(req))
		_, err = stream.CloseAndRecv()
		require.NoError(b, err)
	}
	req := &catalogv1.ImportRequest{}
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(b, err)
		if rec.OrganizationID != "" && !orgs[rec.OrganizationID] {
			orgs[rec.OrganizationID] = true
			req.Organizations = append(req.Organizations, &catalogv1.Organization{Id: rec.OrganizationID, Name: rec.Organization})
		}
		d := &catalogv1.Dataset{
			Id: rec.ID, Slug: rec.Slug, Title: rec.Title, Description: rec.Description, Tags: rec.Tags,
			License: "lov2", Frequency: rec.Frequency, CreatedAtInternal: timestamppb.New(rec.CreatedAt),
			LastModifiedInternal: timestamppb.New(rec.LastModified),
		}
		if rec.OrganizationID != "" {
			d.Organization = &catalogv1.OrganizationRef{Id: rec.OrganizationID}
		}
		for i, format := range rec.ResourcesFormats {
			d.Resources = append(d.Resources, &catalogv1.Resource{
				Id: fmt.Sprintf("%s-%s-4%s-8%s-%s%06d", rec.ID[:8], rec.ID[8:12], rec.ID[12:15], rec.ID[15:18], rec.ID[18:24], i), Title: rec.Slug + "." + format, Filetype: "remote", Type: "main",
				Format: format, Url: fmt.Sprintf("https://static.data.gouv.fr/%s/%d.%s", rec.ID, i, format),
			})
		}
		req.Datasets = append(req.Datasets, d)
		n++
		if len(req.Datasets) == 500 {
			send(req)
			req = &catalogv1.ImportRequest{}
		}
	}
	send(req)
	return n
}

// rssOf reads a process's resident set (VmRSS) in bytes.
func rssOf(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestDCATExportChild is the gateway process of BenchmarkDCATExportWhole
// (the benchmark runs this test binary again with DCAT_CHILD_CATALOG set):
// a gateway on the catalog at that address, until its stdin closes.
func TestDCATExportChild(t *testing.T) {
	addr := os.Getenv("DCAT_CHILD_CATALOG")
	if addr == "" {
		t.Skip("the gateway process of BenchmarkDCATExportWhole")
	}
	conn, err := grpcx.Dial(addr)
	require.NoError(t, err)
	defer conn.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	gw, err := gateway.New(gateway.Config{PublicURL: base}, gateway.Deps{Catalog: catalogv1.NewCatalogServiceClient(conn)})
	require.NoError(t, err)
	srv := &http.Server{Handler: gw.Handler()}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("ADDR %s\n", base)
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
}

// BenchmarkDCATExportWhole exports the 24 189 datasets of data.gouv.fr's
// export as one catalog page in each syntax from a gateway running as its
// own process (this test binary again, TestDCATExportChild) on the
// catalog of this one, and reports the time, the bytes and the gateway
// process's peak resident memory. Run with -benchtime=1x.
func BenchmarkDCATExportWhole(b *testing.B) {
	env := gatewaytest.Start(b, gatewaytest.Options{})
	n := loadExport(b, env)
	cmd := exec.Command(os.Args[0], "-test.run=^TestDCATExportChild$")
	cmd.Env = append(os.Environ(), "DCAT_CHILD_CATALOG="+env.CatalogAddr)
	stdin, err := cmd.StdinPipe()
	require.NoError(b, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(b, err)
	gw := strings.TrimSpace(strings.TrimPrefix(line, "ADDR "))
	pid := cmd.Process.Pid
	for b.Loop() {
		for _, ext := range []string{"ttl", "xml", "jsonld", "nt"} {
			base := rssOf(pid)
			var peak atomic.Int64
			stop, sampled := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(sampled)
				for {
					if r := rssOf(pid); r > peak.Load() {
						peak.Store(r)
					}
					select {
					case <-stop:
						return
					case <-time.After(10 * time.Millisecond):
					}
				}
			}()
			start := time.Now()
			res, err := http.Get(gw + "/api/1/site/catalog." + ext + "?page_size=100000")
			require.NoError(b, err)
			written, err := io.Copy(io.Discard, res.Body)
			require.NoError(b, err)
			res.Body.Close()
			took := time.Since(start)
			close(stop)
			<-sampled
			require.Equal(b, 200, res.StatusCode)
			b.ReportMetric(float64(peak.Load())/(1<<20), ext+"-gateway-peak-rss-MiB")
			b.Logf("%s: %d datasets, %.1f MiB in %v; gateway process RSS before %.0f MiB, peak %.0f MiB",
				ext, n, float64(written)/(1<<20), took.Round(time.Millisecond), float64(base)/(1<<20), float64(peak.Load())/(1<<20))
		}
	}
}
