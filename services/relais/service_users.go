package relais

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/relais-data/relais/services/catalog"
)

// serviceCatalogKey is the API token a service of the laptop mode writes
// to the catalog with: a sysadmin user's (<name>@relais.localhost), made
// once and kept in the data directory (mode 0600). Run apart, the service
// is given a token in its configuration.
func (r *Relais) serviceCatalogKey(ctx context.Context, name string) (string, error) {
	path := filepath.Join(r.cfg.DataDir, name+"-catalog-token")
	if b, err := os.ReadFile(path); err == nil {
		token := strings.TrimSpace(string(b))
		if _, err := r.catalog.Authenticate(ctx, token); err == nil {
			return token, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	_, token, err := catalog.BootstrapUser(ctx, r.db, r.cfg.Catalog.TokenSecret, catalog.NewUser{
		Email: name + "@relais.localhost", FirstName: "Relais", LastName: strings.ToUpper(name[:1]) + name[1:], Sysadmin: true,
	})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("keep %s catalog token: %w", name, err)
	}
	return token, nil
}
