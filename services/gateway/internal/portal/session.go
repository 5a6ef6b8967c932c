package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/httpx"
)

// Sessions: how a signed-in agent acts on the catalog.
//
// At sign-in the catalog checks the password and issues the user a
// session API token (named "Session du portail", expiring with the
// session); at sign-out the portal revokes it. The portal calls the
// catalog with that token exactly as the API does with X-API-KEY, so the
// catalog needs no second way to trust the gateway: permissions are the
// user's own, checked where they always are.
//
// The session lives in the browser's cookie, sealed (session_seal.go:
// AES-256-GCM under gateway.session_key, which every gateway replica
// shares): the user's id and name, the sysadmin flag, the catalog token
// and its id, the CSRF token and the expiry. The browser holds the token
// but cannot read it (encrypted, HttpOnly) nor forge or alter a session
// (authenticated); the agents' scripts still never see it (the chunked
// upload goes through the portal's /espace/api/ relay). So no gateway
// keeps sessions: a restart or a rolling upgrade signs nobody out, and any
// replica serves any agent without sticky sessions.
//
// Revocation stays the catalog's: a cookie counts only while the catalog
// accepts its token (session_check.go). Sign-out revokes the token, which
// kills every copy of the cookie on every replica; so do the token's
// expiry, its revocation from the tokens page and the user's deletion.
// The catalog's answer is kept a few seconds per token, the one window in
// which another replica may still honour a revoked session.
//
// The failed sign-in limits (ratelimit.go) stay per replica: with n
// replicas behind a balancer an attacker gets up to n times the attempts
// per window, still a handful per account.

const (
	sessionCookie = "relais_session"
	// preCookie carries the CSRF token of the sign-in form, before there
	// is a session (a double-submit token: login CSRF).
	preCookie = "relais_csrf"
	// csrfField is the forms' hidden field; csrfHeader the scripts' header.
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

// SessionOptions tune sign-in and sessions.
type SessionOptions struct {
	// Keys seal the session cookies: 32 bytes each (AES-256). The first
	// seals new sessions; every one opens, so a key can be rotated in by
	// putting the new one first and dropped once the sessions it sealed
	// have expired. Replicas must share them. None: a random key of this
	// process, whose sessions end with it.
	Keys [][]byte
	// TTL is how long a session lasts after sign-in (default 8 hours: a
	// working day; the catalog's token expires with it).
	TTL time.Duration
	// CheckTTL is how long the catalog's acceptance of a session token is
	// trusted without asking again (default 5 seconds).
	CheckTTL time.Duration
	// MaxAttemptsPerAccount and MaxAttemptsPerClient bound failed sign-ins
	// in AttemptWindow (defaults 5 and 20 in 15 minutes).
	MaxAttemptsPerAccount int
	MaxAttemptsPerClient  int
	AttemptWindow         time.Duration
	// Now is the clock (tests move it); nil is time.Now.
	Now func() time.Time
	// ClientIP is the address of a request's client, which keys the
	// per-client limit (behind trusted proxies, from X-Forwarded-For);
	// nil: the connection's address.
	ClientIP func(*http.Request) string
}

func (o *SessionOptions) setDefaults() {
	if o.TTL <= 0 {
		o.TTL = 8 * time.Hour
	}
	if o.CheckTTL <= 0 {
		o.CheckTTL = 5 * time.Second
	}
	if o.MaxAttemptsPerAccount <= 0 {
		o.MaxAttemptsPerAccount = 5
	}
	if o.MaxAttemptsPerClient <= 0 {
		o.MaxAttemptsPerClient = 20
	}
	if o.AttemptWindow <= 0 {
		o.AttemptWindow = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClientIP == nil {
		o.ClientIP = httpx.TrustedProxies(nil).ClientIP
	}
}

// session is a signed-in agent, as its cookie holds it.
type session struct {
	userID string
	name   string
	// sysadmin: the catalog lets them manage any organization.
	sysadmin bool
	token    string // the catalog's session token (plaintext), never readable by the browser
	tokenID  string
	csrf     string
	expires  time.Time
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// cookie makes a cookie of the portal: HttpOnly, SameSite=Lax, and Secure
// when the public URL is https.
func (p *Portal) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: p.secure}
}

// cookieSession is the session the request's cookie holds, sealed by one
// of the keys and not expired, or nil. It does not ask the catalog: see
// session.
func (p *Portal) cookieSession(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	return p.sealer.open(c.Value, p.opts.Sessions.Now())
}

// session returns the request's live session: its cookie's, if the
// catalog still accepts the token. A session the catalog refuses is
// signed out (its cookie cleared, nil returned); err is a catalog that
// could not answer.
func (p *Portal) session(w http.ResponseWriter, r *http.Request) (*session, error) {
	sess := p.cookieSession(r)
	if sess == nil {
		return nil, nil
	}
	live, err := p.checks.live(r.Context(), sess)
	if err != nil {
		return nil, err
	}
	if !live {
		http.SetCookie(w, p.cookie(sessionCookie, "", -1))
		return nil, nil
	}
	return sess, nil
}

// endSession signs the request's session out on this replica at once
// (other replicas follow within CheckTTL, once the catalog refuses the
// token) and clears its cookie.
func (p *Portal) endSession(w http.ResponseWriter, sess *session) {
	p.checks.refused(sess)
	http.SetCookie(w, p.cookie(sessionCookie, "", -1))
}

// asUser is ctx carrying the session's token to the catalog.
func (s *session) asUser(ctx context.Context) context.Context {
	return grpcx.WithAPIKey(ctx, s.token)
}

// validCSRF checks the form field (or, for scripts, the header) against
// want, in constant time.
func validCSRF(r *http.Request, want string) bool {
	if r.Header.Get(csrfHeader) != "" {
		return validCSRFHeader(r, want)
	}
	got := r.PostFormValue(csrfField)
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// signedIn wraps the pages of agents: without a live session they go to
// the sign-in page (and come back after); a form or script call must
// carry the session's CSRF token.
func (p *Portal) signedIn(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := p.session(w, r)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		if sess == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/connexion/?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			p.errorPage(w, r, http.StatusUnauthorized, p.loc.t("error.session"), p.loc.t("error.session.retry"))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if !validCSRF(r, sess.csrf) {
				p.errorPage(w, r, http.StatusForbidden, p.loc.t("error.csrf"), p.loc.t("error.csrf.message"))
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, sess)
	}
}

// maxFormBytes bounds the portal's forms (the upload relay has its own).
const maxFormBytes = 1 << 20
