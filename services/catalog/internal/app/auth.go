package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// TokenPrefix starts every API token, as on data.gouv.fr.
const TokenPrefix = "udata_"

// tokenPrefixShown is how many leading characters of a token are kept in
// clear to recognise it (token_prefix).
const tokenPrefixShown = len(TokenPrefix) + 4

// newPlaintextToken returns udata_ + base64url(48 random bytes), like
// Python's token_urlsafe(48).
func newPlaintextToken() string {
	var b [48]byte
	_, _ = rand.Read(b[:])
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// hashToken is the HMAC-SHA256 of a plaintext token, hex-encoded.
func (s *Service) hashToken(plaintext string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(plaintext))
	return hex.EncodeToString(m.Sum(nil))
}

// authTTL bounds how long a token check is reused; revocations and
// membership changes made through this process invalidate at once.
const authTTL = 5 * time.Second

// maxCachedAuth bounds the cache; past it, it is emptied.
const maxCachedAuth = 10_000

type authEntry struct {
	caller  domain.Caller
	tokenID string
	err     error
	expires time.Time
}

type authCache struct {
	now func() time.Time
	mu  sync.RWMutex
	m   map[string]authEntry // by token hash
}

func newAuthCache(now func() time.Time) *authCache {
	return &authCache{now: now, m: map[string]authEntry{}}
}

func (c *authCache) get(hash string) (authEntry, bool) {
	c.mu.RLock()
	e, ok := c.m[hash]
	c.mu.RUnlock()
	if !ok || c.now().After(e.expires) {
		return authEntry{}, false
	}
	return e, true
}

func (c *authCache) put(hash string, e authEntry) {
	e.expires = c.now().Add(authTTL)
	c.mu.Lock()
	if len(c.m) >= maxCachedAuth {
		c.m = map[string]authEntry{}
	}
	c.m[hash] = e
	c.mu.Unlock()
}

// forget drops the entries matching fn.
func (c *authCache) forget(fn func(authEntry) bool) {
	c.mu.Lock()
	for k, e := range c.m {
		if fn(e) {
			delete(c.m, k)
		}
	}
	c.mu.Unlock()
}

func (c *authCache) forgetUser(userID string) {
	c.forget(func(e authEntry) bool { return e.caller.UserID == userID })
}

// Authenticate resolves an API key into the caller. An empty key is the
// anonymous caller; a bad one fails with a *domain.AuthError carrying
// udata's message.
func (s *Service) Authenticate(ctx context.Context, apiKey string) (domain.Caller, error) {
	if apiKey == "" {
		return domain.Caller{}, nil
	}
	hash := s.hashToken(apiKey)
	if e, ok := s.auth.get(hash); ok {
		if e.err == nil {
			s.usage.record(e.tokenID, s.now())
		}
		return e.caller, e.err
	}
	e, err := s.checkToken(ctx, hash)
	if err != nil {
		return domain.Caller{}, err // a storage failure: not cached
	}
	s.auth.put(hash, e)
	if e.err == nil {
		s.usage.record(e.tokenID, s.now())
	}
	return e.caller, e.err
}

func (s *Service) checkToken(ctx context.Context, hash string) (authEntry, error) {
	t, err := s.store.TokenByHash(ctx, hash)
	if errors.Is(err, domain.ErrNotFound) {
		return authEntry{err: domain.ErrInvalidToken}, nil
	}
	if err != nil {
		return authEntry{}, err
	}
	now := s.now()
	switch {
	case !t.RevokedAt.IsZero():
		return authEntry{tokenID: t.ID, err: domain.ErrRevokedToken}, nil
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return authEntry{tokenID: t.ID, err: domain.ErrExpiredToken}, nil
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if errors.Is(err, domain.ErrNotFound) {
		return authEntry{tokenID: t.ID, err: domain.ErrInactiveUser}, nil
	}
	if err != nil {
		return authEntry{}, err
	}
	if !u.Active || !u.DeletedAt.IsZero() {
		return authEntry{tokenID: t.ID, caller: domain.Caller{UserID: u.ID}, err: domain.ErrInactiveUser}, nil
	}
	caller, err := s.callerOf(ctx, s.store.Q, u)
	if err != nil {
		return authEntry{}, err
	}
	return authEntry{tokenID: t.ID, caller: caller}, nil
}

// callerOf builds the Caller of a user, with their memberships.
func (s *Service) callerOf(ctx context.Context, q store.Q, u store.User) (domain.Caller, error) {
	ms, err := q.Memberships(ctx, u.ID)
	if err != nil {
		return domain.Caller{}, err
	}
	c := domain.Caller{UserID: u.ID, Sysadmin: u.Sysadmin, Roles: make(map[string]string, len(ms))}
	for _, m := range ms {
		c.Roles[m.OrganizationID] = m.Role
	}
	return c, nil
}

// usageFlushEvery is how often token last_used_at values are written:
// uses are coalesced in memory, not written per request.
const usageFlushEvery = 10 * time.Second

type usageRecorder struct {
	st   *store.Store
	log  *slog.Logger
	mu   sync.Mutex
	last map[string]time.Time
}

func newUsageRecorder(st *store.Store, log *slog.Logger) *usageRecorder {
	return &usageRecorder{st: st, log: log, last: map[string]time.Time{}}
}

func (u *usageRecorder) record(tokenID string, at time.Time) {
	u.mu.Lock()
	if at.After(u.last[tokenID]) {
		u.last[tokenID] = at
	}
	u.mu.Unlock()
}

func (u *usageRecorder) run(ctx context.Context) error {
	t := time.NewTicker(usageFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// A last flush with a short deadline of its own.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			u.flush(fctx)
			cancel()
			return nil
		case <-t.C:
			u.flush(ctx)
		}
	}
}

func (u *usageRecorder) flush(ctx context.Context) {
	u.mu.Lock()
	batch := u.last
	u.last = map[string]time.Time{}
	u.mu.Unlock()
	for id, at := range batch {
		if err := u.st.TouchToken(ctx, id, at); err != nil {
			u.log.Warn("record token use failed", "token_id", id, "err", err)
		}
	}
}
