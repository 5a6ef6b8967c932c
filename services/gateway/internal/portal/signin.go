package portal

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// signInPage is what the sign-in template shows.
type signInPage struct {
	CSRF  string
	Email string
	Next  string
	Error string
}

// signInForm is GET /connexion/. It sets the pre-session CSRF cookie the
// form must echo.
func (p *Portal) signInForm(w http.ResponseWriter, r *http.Request) {
	if sess, _ := p.session(w, r); sess != nil {
		http.Redirect(w, r, "/espace/", http.StatusSeeOther)
		return
	}
	p.showSignIn(w, r, http.StatusOK, signInPage{Next: safeNext(r.URL.Query().Get("next"))})
}

func (p *Portal) showSignIn(w http.ResponseWriter, r *http.Request, status int, data signInPage) {
	data.CSRF = ""
	if c, err := r.Cookie(preCookie); err == nil && len(c.Value) == 43 {
		data.CSRF = c.Value
	} else {
		data.CSRF = randomToken()
		http.SetCookie(w, p.cookie(preCookie, data.CSRF, 3600))
	}
	w.Header().Set("Cache-Control", "no-store")
	p.render(w, r, status, "signin", page{Title: "Connexion", Data: data})
}

// signIn is POST /connexion/: the CSRF pair, the rate limits, then the
// catalog's password check. Every refusal reads the same, whether the
// email exists or not.
func (p *Portal) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	email := strings.TrimSpace(r.PostFormValue("email"))
	data := signInPage{Email: email, Next: safeNext(r.PostFormValue("next"))}
	pre, err := r.Cookie(preCookie)
	if err != nil || !validCSRF(r, pre.Value) {
		data.Error = p.loc.t("signin.expired")
		http.SetCookie(w, p.cookie(preCookie, "", -1))
		r.Header.Del("Cookie")
		p.showSignIn(w, r, http.StatusForbidden, data)
		return
	}
	o := p.opts.Sessions
	account, client := accountKey(email), p.clientKey(r)
	if blocked, until := p.attempts.blocked(account, o.MaxAttemptsPerAccount); blocked {
		p.tooManyAttempts(w, r, data, until)
		return
	}
	if blocked, until := p.attempts.blocked(client, o.MaxAttemptsPerClient); blocked {
		p.tooManyAttempts(w, r, data, until)
		return
	}
	resp, err := p.opts.Catalog.SignIn(r.Context(), &catalogv1.SignInRequest{
		Email: email, Password: r.PostFormValue("password"), SessionTtl: durationpb.New(o.TTL),
	})
	if status.Code(err) == codes.Unauthenticated {
		p.attempts.fail(account)
		p.attempts.fail(client)
		data.Error = p.loc.t("signin.wrong")
		p.showSignIn(w, r, http.StatusUnauthorized, data)
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.attempts.forget(account)
	u := resp.GetUser()
	sess := &session{
		userID: u.GetId(), name: clipName(strings.TrimSpace(u.GetFirstName() + " " + u.GetLastName())),
		token: resp.GetToken(), tokenID: resp.GetTokenId(), csrf: randomToken(), expires: resp.GetExpiresAt().AsTime(),
		sysadmin: slices.Contains(u.GetRoles(), "admin"),
	}
	if sess.name == "" {
		sess.name = clipName(email)
	}
	sealed, err := p.sealer.seal(sess)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.SetCookie(w, p.cookie(sessionCookie, sealed, int(sess.expires.Sub(o.Now()).Seconds())))
	http.SetCookie(w, p.cookie(preCookie, "", -1))
	next := data.Next
	if next == "" {
		next = "/espace/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (p *Portal) tooManyAttempts(w http.ResponseWriter, r *http.Request, data signInPage, until time.Time) {
	wait := time.Until(until).Round(time.Minute)
	if wait < time.Minute {
		wait = time.Minute
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
	data.Error = p.loc.t("signin.too_many", p.loc.tn("count.minutes", int64(wait/time.Minute)))
	p.showSignIn(w, r, http.StatusTooManyRequests, data)
}

// signOut is POST /deconnexion/: the session's token is revoked in the
// catalog, which ends every copy of the cookie on every replica. If the
// catalog cannot revoke it, the agent is told and stays signed in to try
// again: clearing the cookie alone would leave any copy of it alive.
func (p *Portal) signOut(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	if _, err := p.opts.Catalog.RevokeApiToken(sess.asUser(ctx), &catalogv1.RevokeApiTokenRequest{Id: sess.tokenID}); err != nil &&
		status.Code(err) != codes.Unauthenticated {
		p.opts.Log.WarnContext(r.Context(), "portal: session token not revoked", "token_id", sess.tokenID, "err", err)
		p.fail(w, r, err)
		return
	}
	p.endSession(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// safeNext keeps a return path only if it stays on this site. Browsers
// drop tabs and newlines from URLs and read "\\" as "/", so a path with
// either could become "//host": it is refused.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || len(next) > 2048 ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return ""
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
