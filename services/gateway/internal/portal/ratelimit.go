package portal

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// attempts counts failed sign-ins per key in a fixed window: an account
// (its email) or a client (its address). Guessing passwords is slowed on
// both sides: one account from many addresses, many accounts from one.
type attempts struct {
	now    func() time.Time
	window time.Duration
	mu     sync.Mutex
	m      map[string]*attemptCount
}

type attemptCount struct {
	n     int
	start time.Time
}

// maxAttemptKeys bounds the table; past it, windows already over go.
const maxAttemptKeys = 100_000

func newAttempts(now func() time.Time, window time.Duration) *attempts {
	return &attempts{now: now, window: window, m: map[string]*attemptCount{}}
}

// blocked reports whether key has failed max times in the current window,
// and until when.
func (a *attempts) blocked(key string, max int) (bool, time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.m[key]
	now := a.now()
	if c == nil || now.Sub(c.start) >= a.window {
		return false, time.Time{}
	}
	return c.n >= max, c.start.Add(a.window)
}

// fail records a failure of key.
func (a *attempts) fail(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if len(a.m) >= maxAttemptKeys {
		for k, c := range a.m {
			if now.Sub(c.start) >= a.window {
				delete(a.m, k)
			}
		}
	}
	c := a.m[key]
	if c == nil || now.Sub(c.start) >= a.window {
		c = &attemptCount{start: now}
		a.m[key] = c
	}
	c.n++
}

// forget clears key (an account's count after it signs in).
func (a *attempts) forget(key string) {
	a.mu.Lock()
	delete(a.m, key)
	a.mu.Unlock()
}

// clientKey is the client's address (SessionOptions.ClientIP): behind the
// trusted proxies only, read from X-Forwarded-For, which any client can
// write.
func (p *Portal) clientKey(r *http.Request) string {
	return "client:" + p.opts.Sessions.ClientIP(r)
}

func accountKey(email string) string {
	return "account:" + strings.ToLower(strings.TrimSpace(email))
}
