package remote

import (
	"context"

	"github.com/relais-data/relais/pkg/safehttp"
)

// Getter reads one page of a source; safehttp.Fetcher is the one used, so
// that every source URL and redirect passes the SSRF guard.
type Getter interface {
	Get(ctx context.Context, url, accept string) (*safehttp.Page, error)
}
