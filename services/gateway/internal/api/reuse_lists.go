package api

import (
	"net/http"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// Plain (unpaged) reuse lists, as udata's OrgReusesAPI and MyReusesAPI:
// every live reuse of an organization or of the caller, private ones
// included for its members (the caller). udata lists deleted ones too;
// Relais leaves them out.

// organizationReuses is GET /api/1/organizations/{org}/reuses/.
func (s *Server) organizationReuses(w http.ResponseWriter, r *http.Request) {
	o, ok := s.fetchOrganization(w, r)
	if !ok {
		return
	}
	s.serveAllReuses(w, r, &catalogv1.ListReusesRequest{Organization: o.GetId(), IncludePrivate: hasKey(r)})
}

// myReuses is GET /api/1/me/reuses/.
func (s *Server) myReuses(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	me, err := s.catalog.GetMe(r.Context(), &catalogv1.GetMeRequest{})
	if err != nil {
		s.fail(w, r, err, kindUser)
		return
	}
	s.serveAllReuses(w, r, &catalogv1.ListReusesRequest{Owner: me.GetUser().GetId(), IncludePrivate: true})
}

// maxPlainReuses bounds a plain list (udata has no bound).
const maxPlainReuses = 10 * maxPageSize

func (s *Server) serveAllReuses(w http.ResponseWriter, r *http.Request, req *catalogv1.ListReusesRequest) {
	var all []*catalogv1.Reuse
	req.PageSize = maxPageSize
	for req.Page = 1; len(all) < maxPlainReuses; req.Page++ {
		resp, err := s.catalog.ListReuses(r.Context(), req)
		if err != nil {
			s.fail(w, r, err, kindReuse)
			return
		}
		all = append(all, resp.GetReuses()...)
		if len(resp.GetReuses()) < maxPageSize {
			break
		}
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.BeginArray()
		for _, u := range all {
			s.render.ReuseListItem(jw, u)
		}
		jw.EndArray()
	})
}
