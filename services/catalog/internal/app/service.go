package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// Options configure a Service.
type Options struct {
	// TokenSecret is the HMAC key of API token hashes.
	TokenSecret []byte
	// Notify is called after each committed change, to wake the outbox
	// relay; nil is allowed.
	Notify func()
	Log    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service implements the catalog's use cases.
type Service struct {
	store  *store.Store
	secret []byte
	notify func()
	log    *slog.Logger
	now    func() time.Time
	refs   *refCache
	auth   *authCache
	usage  *usageRecorder
	reads  *readCache
}

// New returns a Service over st.
func New(st *store.Store, opts Options) *Service {
	s := &Service{
		store:  st,
		secret: opts.TokenSecret,
		notify: opts.Notify,
		log:    opts.Log,
		now:    opts.Now,
	}
	if s.notify == nil {
		s.notify = func() {}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.refs = newRefCache(st, s.now)
	s.auth = newAuthCache(s.now)
	s.usage = newUsageRecorder(st, s.log)
	s.reads = newReadCache()
	return s
}

// Run records token usage in the background until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	return s.usage.run(ctx)
}

type callerKey struct{}

// WithCaller returns ctx carrying the caller.
func WithCaller(ctx context.Context, c domain.Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller carried by ctx (anonymous when none).
func CallerFrom(ctx context.Context) domain.Caller {
	c, _ := ctx.Value(callerKey{}).(domain.Caller)
	return c
}

// requireCaller returns the caller, or ErrAuthRequired for anonymous calls.
func requireCaller(ctx context.Context) (domain.Caller, error) {
	c := CallerFrom(ctx)
	if c.Anonymous() {
		return c, domain.ErrAuthRequired
	}
	return c, nil
}

// nowUTC is the clock truncated to the microsecond, as stored.
func (s *Service) nowUTC() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// commit runs fn in a transaction, then wakes the relay.
func (s *Service) commit(ctx context.Context, fn func(q store.Q) error) error {
	if err := s.store.InTx(ctx, fn); err != nil {
		return err
	}
	s.notify()
	return nil
}
