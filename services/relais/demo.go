package relais

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog"
	"github.com/relais-data/relais/services/relais/internal/demo"
)

// DemoResult is what the demo module did.
type DemoResult struct {
	AdminToken string
	// AdminPassword signs the demo administrator in on the portal.
	AdminPassword string
	Stats         demo.Stats
	Took          time.Duration
}

// startDemo makes sure a demo administrator exists, then imports the
// embedded demo data through the catalog's gRPC API. Both steps are
// idempotent: a second start creates nothing and prints the same token.
func (r *Relais) startDemo(ctx context.Context) error {
	start := time.Now()
	token, err := r.demoAdminToken(ctx)
	if err != nil {
		return fmt.Errorf("demo admin: %w", err)
	}
	password, err := r.demoAdminPassword(ctx)
	if err != nil {
		return fmt.Errorf("demo admin: %w", err)
	}
	stats, err := ImportDemo(ctx, r.grpcAddr.String(), token)
	if err != nil {
		return err
	}
	r.demo = DemoResult{AdminToken: token, AdminPassword: password, Stats: stats, Took: time.Since(start)}
	r.log.Info("demo data loaded",
		"organizations_created", stats.OrganizationsCreated, "datasets_created", stats.DatasetsCreated,
		"datasets_skipped", stats.DatasetsSkipped, "took", r.demo.Took.Round(time.Millisecond).String())
	return nil
}

// demoAdminToken returns the demo administrator's API token, kept in the
// data directory (mode 0600) so that every start prints the same one.
func (r *Relais) demoAdminToken(ctx context.Context) (string, error) {
	path := filepath.Join(r.cfg.DataDir, "demo-admin-token")
	if b, err := os.ReadFile(path); err == nil {
		token := strings.TrimSpace(string(b))
		if _, err := r.catalog.Authenticate(ctx, token); err == nil {
			return token, nil
		}
		r.log.Warn("demo admin token no longer valid, creating a new one", "path", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	_, token, err := catalog.BootstrapUser(ctx, r.db, r.cfg.Catalog.TokenSecret, catalog.NewUser{
		Email: r.cfg.Demo.AdminEmail, FirstName: "Admin", LastName: "Relais", Sysadmin: true,
	})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("keep demo token: %w", err)
	}
	return token, nil
}

// ImportDemo imports the embedded demo data through the catalog's gRPC API
// at addr, as the sysadmin whose token is given.
func ImportDemo(ctx context.Context, addr, token string) (demo.Stats, error) {
	conn, err := grpcx.Dial(addr)
	if err != nil {
		return demo.Stats{}, err
	}
	defer conn.Close()
	gz, err := gzip.NewReader(bytes.NewReader(demo.Export))
	if err != nil {
		return demo.Stats{}, fmt.Errorf("demo data: %w", err)
	}
	rd, err := demo.NewReader(gz)
	if err != nil {
		return demo.Stats{}, err
	}
	im := demo.Importer{Catalog: catalogv1.NewCatalogServiceClient(conn)}
	stats, err := im.Import(grpcx.WithAPIKey(ctx, token), rd)
	if err != nil {
		return stats, fmt.Errorf("import demo data: %w", err)
	}
	return stats, nil
}
