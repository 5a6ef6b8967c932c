package api

import (
	"net/http"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// organizationSorts are the sort choices of udata's OrgApiParser.
func organizationSorts() []string {
	return sortChoices("name", "reuses", "datasets", "followers", "views", "created", "last_modified")
}

// organizationBadges are udata's organization badge kinds (the badge
// filter's choices).
func organizationBadges() []string {
	return []string{"public-service", "certified", "association", "company", "local-authority"}
}

// listOrganizations is GET /api/1/organizations/.
func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request) {
	a := newArgs(w, r)
	req := &catalogv1.ListOrganizationsRequest{Q: a.str("q")}
	req.Sort = a.choice("sort", helpSort, organizationSorts())
	page, size, capped := pageArgs(a, defaultPageSize)
	req.Badge = a.choice("badge", "", organizationBadges())
	req.Name = a.str("name")
	req.BusinessNumberId = a.str("business_number_id")
	if a.failed {
		return
	}
	if beyondAnyCatalog(page, size) {
		s.notFound(w, r, msgNotFound)
		return
	}
	req.Page, req.PageSize = int32(page), int32(size)
	resp, err := s.catalog.ListOrganizations(r.Context(), req)
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	if pastTheEnd(page, size, len(resp.GetOrganizations())) {
		s.notFound(w, r, msgNotFound)
		return
	}
	info := s.pageInfo(r, page, size, resp.GetTotal(), capped)
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.Page(info, func(jw *udata.Writer) {
			for _, o := range resp.GetOrganizations() {
				s.render.Organization(jw, o)
			}
		})
	})
}

// createOrganization is POST /api/1/organizations/; the caller becomes
// its admin.
func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseOrganization(body)
	if err != nil {
		s.writeBodyError(w, err, kindOrganization)
		return
	}
	resp, err := s.catalog.CreateOrganization(r.Context(), &catalogv1.CreateOrganizationRequest{Organization: in.Input})
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	s.writeJSON(w, http.StatusCreated, func(jw *udata.Writer) { s.render.Organization(jw, resp.GetOrganization()) })
}

// fetchOrganization gets the organization of the {org} path parameter,
// answering errors and old-slug redirections itself.
func (s *Server) fetchOrganization(w http.ResponseWriter, r *http.Request) (*catalogv1.Organization, bool) {
	ref := r.PathValue("org")
	resp, err := s.catalog.GetOrganization(r.Context(), &catalogv1.GetOrganizationRequest{Organization: ref})
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return nil, false
	}
	if resp.GetMoved() && s.redirectCanonical(w, r, ref, resp.GetOrganization().GetSlug()) {
		return nil, false
	}
	return resp.GetOrganization(), true
}

// getOrganization is GET /api/1/organizations/{org}/.
func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request) {
	o, ok := s.fetchOrganization(w, r)
	if !ok {
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Organization(jw, o) })
	s.views.viewed(r, "organization", o.GetId(), "", eventsv1.ViewChannel_VIEW_CHANNEL_API)
}

// updateOrganization is PUT /api/1/organizations/{org}/ (partial).
func (s *Server) updateOrganization(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseOrganization(body)
	if err != nil {
		s.writeBodyError(w, err, kindOrganization)
		return
	}
	resp, err := s.catalog.UpdateOrganization(r.Context(), &catalogv1.UpdateOrganizationRequest{
		Organization: r.PathValue("org"),
		Input:        in.Input,
		UpdateMask:   &fieldmaskpb.FieldMask{Paths: in.Mask},
	})
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Organization(jw, resp.GetOrganization()) })
}

// deleteOrganization is DELETE /api/1/organizations/{org}/ (soft).
func (s *Server) deleteOrganization(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	_, err := s.catalog.DeleteOrganization(r.Context(), &catalogv1.DeleteOrganizationRequest{Organization: r.PathValue("org")})
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	writeNoContent(w)
}

// organizationDatasets is GET /api/1/organizations/{org}/datasets/: the
// dataset list filtered on the organization (its private datasets for
// its members).
func (s *Server) organizationDatasets(w http.ResponseWriter, r *http.Request) {
	o, ok := s.fetchOrganization(w, r)
	if !ok {
		return
	}
	id := o.GetId()
	s.serveDatasetList(w, r, &id, false)
}

// organizationRoles is GET /api/1/organizations/roles/.
func (s *Server) organizationRoles(w http.ResponseWriter, r *http.Request) {
	s.serveReferenceList(w, r, func(jw *udata.Writer, l *catalogv1.GetReferenceListsResponse) {
		s.render.Labels(jw, l.GetOrganizationRoles())
	})
}

// suggestOrganizations is GET /api/1/organizations/suggest/?q=&size=.
func (s *Server) suggestOrganizations(w http.ResponseWriter, r *http.Request) {
	a := newArgs(w, r)
	if _, ok := a.values["q"]; !ok {
		a.fail("q", "The string to autocomplete/suggest Missing required parameter in the query string")
		return
	}
	q := a.str("q")
	size := a.positive("size", "The amount of suggestion to fetch", 10)
	if a.failed {
		return
	}
	resp, err := s.catalog.SuggestOrganizations(r.Context(), &catalogv1.SuggestOrganizationsRequest{Q: q, Size: int32(min(size, maxPageSize))})
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.BeginArray()
		for _, o := range resp.GetOrganizations() {
			s.render.OrganizationSuggestion(jw, o)
		}
		jw.EndArray()
	})
}
