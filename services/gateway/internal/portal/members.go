package portal

import (
	"net/http"
	"net/url"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// membersPage is an organization's members, for its admins.
type membersPage struct {
	Org     *catalogv1.Organization
	Members []*catalogv1.Member
	Self    string
	Error   string
	Saved   bool
}

// roles are the organization roles, with their names' message keys.
var roles = []struct{ ID, Label string }{{"admin", "role.admin"}, {"editor", "role.editor"}}

func validRole(r string) bool { return r == "admin" || r == "editor" }

// membersList is GET /espace/organisations/{org}/membres/.
func (p *Portal) membersList(w http.ResponseWriter, r *http.Request, sess *session) {
	p.showMembers(w, r, sess, http.StatusOK, membersPage{Saved: r.URL.Query().Get("ok") == "saved"})
}

func (p *Portal) showMembers(w http.ResponseWriter, r *http.Request, sess *session, code int, data membersPage) {
	resp, err := p.opts.Catalog.GetOrganization(sess.asUser(r.Context()), &catalogv1.GetOrganizationRequest{Organization: r.PathValue("org")})
	if err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	org := resp.GetOrganization()
	if !p.isOrgAdmin(org, sess) {
		p.failAgent(w, r, sess, status.Error(codes.PermissionDenied, "members"))
		return
	}
	data.Org, data.Members, data.Self = org, org.GetMembers(), sess.userID
	p.render(w, r, code, "members", page{Title: p.loc.t("members.heading", org.GetName()), Data: data})
}

// isOrgAdmin: the page is for the organization's admins and sysadmins
// (the catalog checks again on every change).
func (p *Portal) isOrgAdmin(org *catalogv1.Organization, sess *session) bool {
	if sess.sysadmin {
		return true
	}
	for _, m := range org.GetMembers() {
		if m.GetUser().GetId() == sess.userID {
			return m.GetRole() == "admin"
		}
	}
	return false
}

func membersPath(org string) string {
	return "/espace/organisations/" + url.PathEscape(org) + "/membres/"
}

// addMember is POST /espace/organisations/{org}/membres/: by email.
func (p *Portal) addMember(w http.ResponseWriter, r *http.Request, sess *session) {
	email, role := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("role")
	if !validRole(role) {
		p.showMembers(w, r, sess, http.StatusBadRequest, membersPage{Error: p.loc.t("members.role.missing")})
		return
	}
	_, err := p.opts.Catalog.AddMember(sess.asUser(r.Context()), &catalogv1.AddMemberRequest{
		Organization: r.PathValue("org"), Email: email, Role: role,
	})
	p.afterMemberChange(w, r, sess, err)
}

// changeMember is POST /espace/organisations/{org}/membres/{user}/: a new
// role, or removal when action=remove.
func (p *Portal) changeMember(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx, org, user := sess.asUser(r.Context()), r.PathValue("org"), r.PathValue("user")
	var err error
	if r.PostFormValue("action") == "remove" {
		_, err = p.opts.Catalog.RemoveMember(ctx, &catalogv1.RemoveMemberRequest{Organization: org, User: user})
	} else {
		role := r.PostFormValue("role")
		if !validRole(role) {
			p.showMembers(w, r, sess, http.StatusBadRequest, membersPage{Error: p.loc.t("members.role.missing")})
			return
		}
		_, err = p.opts.Catalog.UpdateMember(ctx, &catalogv1.UpdateMemberRequest{Organization: org, User: user, Role: role})
	}
	p.afterMemberChange(w, r, sess, err)
}

func (p *Portal) afterMemberChange(w http.ResponseWriter, r *http.Request, sess *session, err error) {
	switch status.Code(err) {
	case codes.OK:
		http.Redirect(w, r, membersPath(r.PathValue("org"))+"?ok=saved", http.StatusSeeOther)
	case codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.FailedPrecondition:
		p.showMembers(w, r, sess, http.StatusBadRequest, membersPage{Error: p.loc.t("members.refused", status.Convert(err).Message())})
	default:
		p.failAgent(w, r, sess, err)
	}
}
