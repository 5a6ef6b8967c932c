package api

import (
	"net/http"
	"strings"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// inviteMember is POST /api/1/organizations/{org}/member/: adds a user
// (by id) or the user of an email with a role (editor by default). udata
// (v15+) answers a pending MembershipRequest; Relais adds the member at
// once and answers it (201). Bad invitations (unknown user, both user and
// email, already a member) get udata's 400 field errors.
func (s *Server) inviteMember(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseMember(body)
	if err != nil {
		s.writeBodyError(w, err, kindOrganization)
		return
	}
	s.addMemberAndAnswer(w, r, &catalogv1.AddMemberRequest{
		Organization: r.PathValue("org"),
		User:         in.User,
		Email:        in.Email,
		Role:         in.Role,
	})
}

// addMember is the legacy POST /api/1/organizations/{org}/member/{user}/
// {"role"} (udata up to v14, still used by clients): 201, or 409 with the
// existing Member when the user is already a member.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseMember(body)
	if err != nil {
		s.writeBodyError(w, err, kindOrganization)
		return
	}
	o, ok := s.fetchOrganization(w, r)
	if !ok {
		return
	}
	user := r.PathValue("user")
	for _, m := range o.GetMembers() {
		if !o.GetPermissions().GetMembers() {
			break // the catalog answers 403
		}
		if u := m.GetUser(); strings.EqualFold(u.GetId(), user) || u.GetSlug() == user {
			s.writeJSON(w, http.StatusConflict, func(jw *udata.Writer) { s.render.Member(jw, m) })
			return
		}
	}
	s.addMemberAndAnswer(w, r, &catalogv1.AddMemberRequest{
		Organization: o.GetId(),
		User:         user,
		Role:         in.Role,
	})
}

func (s *Server) addMemberAndAnswer(w http.ResponseWriter, r *http.Request, req *catalogv1.AddMemberRequest) {
	resp, err := s.catalog.AddMember(r.Context(), req)
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	s.writeJSON(w, http.StatusCreated, func(jw *udata.Writer) { s.render.Member(jw, resp.GetMember()) })
}

// updateMember is PUT /api/1/organizations/{org}/member/{user}/ {"role"}.
func (s *Server) updateMember(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseMember(body)
	if err != nil {
		s.writeBodyError(w, err, kindOrganization)
		return
	}
	resp, err := s.catalog.UpdateMember(r.Context(), &catalogv1.UpdateMemberRequest{
		Organization: r.PathValue("org"),
		User:         r.PathValue("user"),
		Role:         in.Role,
	})
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Member(jw, resp.GetMember()) })
}

// removeMember is DELETE /api/1/organizations/{org}/member/{user}/.
func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	_, err := s.catalog.RemoveMember(r.Context(), &catalogv1.RemoveMemberRequest{
		Organization: r.PathValue("org"),
		User:         r.PathValue("user"),
	})
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	writeNoContent(w)
}
