package app

import (
	"context"
	"fmt"

	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// maxSlugTries bounds the -1, -2… search.
const maxSlugTries = 10_000

// uniqueSlug returns base, or base-1, base-2… the first that no other
// object of kind than selfID uses. An empty base falls back to selfID.
func uniqueSlug(ctx context.Context, q store.Q, kind, base, selfID string) (string, error) {
	if base == "" {
		base = selfID
	}
	for n := 0; n < maxSlugTries; n++ {
		slug := domain.SlugCandidate(base, n, domain.MaxSlugLength)
		taken, err := q.SlugTaken(ctx, kind, slug, selfID)
		if err != nil {
			return "", err
		}
		if !taken {
			return slug, nil
		}
	}
	return "", fmt.Errorf("no free slug for %q", base)
}
