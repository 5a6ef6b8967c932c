package portal

import (
	"net/http"
	"strings"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// tokensPage lists the agent's API tokens; Created is a token just made,
// shown this once.
type tokensPage struct {
	Tokens  []*catalogv1.ApiToken
	Created string
	Revoked bool
	Current string // the id of this session's own token
}

// tokensList is GET /espace/jetons/.
func (p *Portal) tokensList(w http.ResponseWriter, r *http.Request, sess *session) {
	p.showTokens(w, r, sess, tokensPage{Revoked: r.URL.Query().Get("ok") == "revoked"})
}

func (p *Portal) showTokens(w http.ResponseWriter, r *http.Request, sess *session, data tokensPage) {
	resp, err := p.opts.Catalog.ListApiTokens(sess.asUser(r.Context()), &catalogv1.ListApiTokensRequest{})
	if err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	for _, t := range resp.GetTokens() {
		if t.RevokedAt == nil {
			data.Tokens = append(data.Tokens, t)
		}
	}
	data.Current = sess.tokenID
	p.render(w, r, http.StatusOK, "tokens", page{Title: p.loc.t("tokens.title"), Data: data})
}

// createToken is POST /espace/jetons/: the page answers with the new
// token in clear, once (no redirect: it must not land in a URL).
func (p *Portal) createToken(w http.ResponseWriter, r *http.Request, sess *session) {
	req := &catalogv1.CreateApiTokenRequest{}
	if name := strings.TrimSpace(r.PostFormValue("name")); name != "" {
		req.Name = &name
	}
	resp, err := p.opts.Catalog.CreateApiToken(sess.asUser(r.Context()), req)
	if err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	p.showTokens(w, r, sess, tokensPage{Created: resp.GetPlaintext()})
}

// revokeToken is POST /espace/jetons/{id}/revoquer/.
func (p *Portal) revokeToken(w http.ResponseWriter, r *http.Request, sess *session) {
	if r.PathValue("id") == sess.tokenID { // that is signing out
		p.signOut(w, r, sess)
		return
	}
	_, err := p.opts.Catalog.RevokeApiToken(sess.asUser(r.Context()), &catalogv1.RevokeApiTokenRequest{Id: r.PathValue("id")})
	if err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	http.Redirect(w, r, "/espace/jetons/?ok=revoked", http.StatusSeeOther)
}
