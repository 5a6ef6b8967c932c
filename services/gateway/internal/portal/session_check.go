package portal

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// tokenChecks asks the catalog whether a session's token is still good,
// and keeps its answer a while, per token id.
//
// The trade-off: a yes is kept CheckTTL (5 seconds by default), so an
// agent's pages and relay calls cost one GetMe (the catalog's cheapest
// authenticated call: the token's hash, then the user's row) every few
// seconds rather than one per request; in exchange a session signed out
// or revoked on another replica, or whose user was deleted, still opens
// pages here for up to CheckTTL. On the replica that signs out it ends at
// once. A no is kept until the session's expiry: a revoked token never
// comes back, and a copied cookie replayed in a loop costs the catalog
// nothing.
type tokenChecks struct {
	catalog catalogv1.CatalogServiceClient
	now     func() time.Time
	ttl     time.Duration
	mu      sync.Mutex
	m       map[string]tokenCheck
}

type tokenCheck struct {
	live  bool
	until time.Time
}

// checkTimeout bounds a check: a public page does not wait longer on it
// (it then shows a visitor), an agent's page answers 503.
const checkTimeout = 5 * time.Second

// maxTokenChecks bounds the table; past it, answers already stale go.
const maxTokenChecks = 100_000

func newTokenChecks(catalog catalogv1.CatalogServiceClient, now func() time.Time, ttl time.Duration) *tokenChecks {
	return &tokenChecks{catalog: catalog, now: now, ttl: ttl, m: map[string]tokenCheck{}}
}

// live says whether the catalog accepts sess's token: from a fresh enough
// answer, else by asking. err is a catalog that did not answer.
func (c *tokenChecks) live(ctx context.Context, sess *session) (bool, error) {
	c.mu.Lock()
	got, ok := c.m[sess.tokenID]
	c.mu.Unlock()
	if ok && c.now().Before(got.until) {
		return got.live, nil
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	_, err := c.catalog.GetMe(sess.asUser(ctx), &catalogv1.GetMeRequest{})
	switch status.Code(err) {
	case codes.OK:
		c.remember(sess.tokenID, tokenCheck{live: true, until: c.now().Add(c.ttl)})
		return true, nil
	case codes.Unauthenticated, codes.NotFound: // revoked or expired token, deleted user
		c.refused(sess)
		return false, nil
	default:
		return false, err
	}
}

// refused records that sess's token is no longer accepted (signed out
// here, or refused by the catalog).
func (c *tokenChecks) refused(sess *session) {
	c.remember(sess.tokenID, tokenCheck{until: sess.expires})
}

func (c *tokenChecks) remember(tokenID string, check tokenCheck) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxTokenChecks {
		now := c.now()
		for id, o := range c.m {
			if !now.Before(o.until) {
				delete(c.m, id)
			}
		}
		if len(c.m) >= maxTokenChecks { // all fresh: start over, the catalog answers again
			clear(c.m)
		}
	}
	c.m[tokenID] = check
}
