package portal

import (
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// accountPage is what the agent's home shows: their organizations, each
// with its datasets (private ones included), and their own datasets.
type accountPage struct {
	User          *catalogv1.User
	Organizations []orgDatasets
	Own           []*catalogv1.Dataset
}

type orgDatasets struct {
	Org      *catalogv1.OrganizationRef
	Datasets []*catalogv1.Dataset
	Total    int64
}

// accountDatasets is how many datasets per organization the page lists.
const accountDatasets = 50

// accountHome is GET /espace/.
func (p *Portal) accountHome(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := sess.asUser(r.Context())
	me, err := p.opts.Catalog.GetMe(ctx, &catalogv1.GetMeRequest{})
	if err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	data := accountPage{User: me.GetUser()}
	for _, o := range me.GetUser().GetOrganizations() {
		resp, err := p.opts.Catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{
			Organization: o.GetId(), IncludePrivate: true, Sort: "-last_update", PageSize: accountDatasets,
		})
		if err != nil {
			p.failAgent(w, r, sess, err)
			return
		}
		data.Organizations = append(data.Organizations, orgDatasets{Org: o, Datasets: resp.GetDatasets(), Total: resp.GetTotal()})
	}
	own, err := p.opts.Catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{
		Owner: sess.userID, IncludePrivate: true, Sort: "-last_update", PageSize: accountDatasets,
	})
	if err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	data.Own = own.GetDatasets()
	p.render(w, r, http.StatusOK, "account", page{Title: p.loc.t("nav.space"), Data: data})
}

// failAgent answers a failed call made as the agent: a session token the
// catalog no longer accepts (revoked elsewhere, expired, user
// deactivated) ends the session; a refusal is a 403 page; the rest is
// fail's.
func (p *Portal) failAgent(w http.ResponseWriter, r *http.Request, sess *session, err error) {
	switch status.Code(err) {
	case codes.Unauthenticated:
		p.endSession(w, sess)
		p.errorPage(w, r, http.StatusUnauthorized, p.loc.t("error.session"), p.loc.t("error.session.message"))
	case codes.PermissionDenied:
		p.errorPage(w, r, http.StatusForbidden, p.loc.t("error.forbidden"), p.loc.t("error.forbidden.message"))
	default:
		p.fail(w, r, err)
	}
}
