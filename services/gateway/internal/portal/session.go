package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/relais-data/relais/pkg/grpcx"
)

// Sessions: how a signed-in agent acts on the catalog.
//
// At sign-in the catalog checks the password and issues the user a
// session API token (named "Session du portail", expiring with the
// session); at sign-out the portal revokes it. The portal keeps the token
// server-side, in memory, under a random session id that is all the
// browser's cookie holds, and calls the catalog with it exactly as the API
// does with X-API-KEY. So the catalog needs no second way to trust the
// gateway: permissions are the user's own, checked where they always are;
// the token is never in the browser (not even for the chunked upload,
// which goes through the portal's /espace/api/ relay); and a session is
// revoked twice over at sign-out — forgotten here, and its token revoked
// in the catalog, so a stolen cookie or token is dead. The price of
// keeping sessions in memory: a gateway restart signs everyone out, and
// gateway replicas need sticky sessions.

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
	// TTL is how long a session lasts after sign-in (default 8 hours: a
	// working day; the catalog's token expires with it).
	TTL time.Duration
	// MaxAttemptsPerAccount and MaxAttemptsPerClient bound failed sign-ins
	// in AttemptWindow (defaults 5 and 20 in 15 minutes).
	MaxAttemptsPerAccount int
	MaxAttemptsPerClient  int
	AttemptWindow         time.Duration
	// Now is the clock (tests move it); nil is time.Now.
	Now func() time.Time
}

func (o *SessionOptions) setDefaults() {
	if o.TTL <= 0 {
		o.TTL = 8 * time.Hour
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
}

// session is a signed-in agent.
type session struct {
	id     string
	userID string
	name   string
	// sysadmin: the catalog lets them manage any organization.
	sysadmin bool
	token    string // the catalog's session token (plaintext), never sent to the browser
	tokenID  string
	csrf     string
	expires  time.Time
}

// sessions are kept in memory by id.
type sessions struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*session
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, m: map[string]*session{}}
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *sessions) add(sess *session) {
	sess.id, sess.csrf = randomToken(), randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for id, o := range s.m { // expired ones go as new ones come
		if !now.Before(o.expires) {
			delete(s.m, id)
		}
	}
	s.m[sess.id] = sess
}

// get returns the live session of this id, or nil.
func (s *sessions) get(id string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.m[id]
	if sess == nil {
		return nil
	}
	if !s.now().Before(sess.expires) {
		delete(s.m, id)
		return nil
	}
	return sess
}

func (s *sessions) remove(id string) {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
}

// secureCookies says whether cookies get the Secure attribute: when the
// public URL is https.
func (p *Portal) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: p.secure}
}

// session returns the request's live session, or nil.
func (p *Portal) session(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	return p.sessions.get(c.Value)
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

// signedIn wraps the pages of agents: without a session they go to the
// sign-in page (and come back after); a form or script call must carry
// the session's CSRF token.
func (p *Portal) signedIn(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := p.session(r)
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
