package api

import (
	"net/http"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/relais-data/relais/pkg/ids"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// reuseSorts are the sort choices of udata's reuse index parser.
func reuseSorts() []string {
	return sortChoices("title", "created", "last_modified", "datasets", "followers", "views")
}

const helpReuseFeatured = "If set to true, it will filter on featured reuses only. If set to false, it will exclude featured reuses."

// parseReuseQuery reads the arguments of udata's reuse list in its order,
// answering the first bad one (and returning nil).
func parseReuseQuery(w http.ResponseWriter, r *http.Request) (req *catalogv1.ListReusesRequest, page, size int64, capped bool) {
	a := newArgs(w, r)
	req = &catalogv1.ListReusesRequest{Q: a.str("q")}
	req.Sort = a.choice("sort", helpSort, reuseSorts())
	page, size, capped = pageArgs(a, defaultPageSize)
	req.Featured = a.boolean("featured", helpReuseFeatured)
	if a.failed {
		return nil, 0, 0, false
	}
	req.Tags = a.list("tag")
	req.Type = a.str("type")
	req.Topic = a.str("topic")
	for _, id := range []struct {
		arg, msg string
		dst      *string
	}{
		{"dataset", "Dataset arg must be an identifier", &req.Dataset},
		{"organization", "Organization arg must be an identifier", &req.Organization},
		{"owner", "Owner arg must be an identifier", &req.Owner},
		{"followed_by", "`followed_by` arg must be an identifier", &req.FollowedBy},
	} {
		if v := a.str(id.arg); v != "" {
			if !ids.IsObjectID(v) {
				writeMessage(w, http.StatusBadRequest, id.msg)
				return nil, 0, 0, false
			}
			*id.dst = v
		}
	}
	req.Page, req.PageSize = int32(page), int32(size)
	// udata's visible_by_user: the caller's own private reuses are listed.
	req.IncludePrivate = hasKey(r)
	return req, page, size, capped
}

// listReuses is GET /api/1/reuses/.
func (s *Server) listReuses(w http.ResponseWriter, r *http.Request) {
	s.serveReuseList(w, r, s.render.ReuseListItem)
}

// listReusesV2 is GET /api/2/reuses/: linked datasets as a link.
func (s *Server) listReusesV2(w http.ResponseWriter, r *http.Request) {
	s.serveReuseList(w, r, s.render.ReuseV2)
}

func (s *Server) serveReuseList(w http.ResponseWriter, r *http.Request, item func(*udata.Writer, *catalogv1.Reuse)) {
	req, page, size, capped := parseReuseQuery(w, r)
	if req == nil {
		return
	}
	if beyondAnyCatalog(page, size) {
		s.notFound(w, r, msgNotFound)
		return
	}
	resp, err := s.catalog.ListReuses(r.Context(), req)
	if err != nil {
		s.fail(w, r, err, kindReuse)
		return
	}
	if pastTheEnd(page, size, len(resp.GetReuses())) {
		s.notFound(w, r, msgNotFound)
		return
	}
	info := s.pageInfo(r, page, size, resp.GetTotal(), capped)
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.Page(info, func(jw *udata.Writer) {
			for _, u := range resp.GetReuses() {
				item(jw, u)
			}
		})
	})
}

// createReuse is POST /api/1/reuses/ (201).
func (s *Server) createReuse(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseReuse(body)
	if err != nil {
		s.writeBodyError(w, err, kindReuse)
		return
	}
	resp, err := s.catalog.CreateReuse(r.Context(), &catalogv1.CreateReuseRequest{Reuse: in.Input})
	if err != nil {
		s.fail(w, r, err, kindReuse)
		return
	}
	s.writeJSON(w, http.StatusCreated, func(jw *udata.Writer) { s.render.Reuse(jw, resp.GetReuse()) })
}

// getReuse is GET /api/1/reuses/{reuse}/; an old slug answers 308.
func (s *Server) getReuse(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("reuse")
	resp, err := s.catalog.GetReuse(r.Context(), &catalogv1.GetReuseRequest{Reuse: ref})
	if err != nil {
		s.fail(w, r, err, kindReuse)
		return
	}
	if resp.GetMoved() && s.redirectCanonical(w, r, ref, resp.GetReuse().GetSlug()) {
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Reuse(jw, resp.GetReuse()) })
	s.views.viewed(r, "reuse", resp.GetReuse().GetId(), "", eventsv1.ViewChannel_VIEW_CHANNEL_API)
}

// updateReuse is PUT /api/1/reuses/{reuse}/, a partial update as udata's.
func (s *Server) updateReuse(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	in, err := udata.ParseReuse(body)
	if err != nil {
		s.writeBodyError(w, err, kindReuse)
		return
	}
	resp, err := s.catalog.UpdateReuse(r.Context(), &catalogv1.UpdateReuseRequest{
		Reuse: r.PathValue("reuse"), Input: in.Input, UpdateMask: &fieldmaskpb.FieldMask{Paths: in.Mask},
	})
	if err != nil {
		s.fail(w, r, err, kindReuse)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Reuse(jw, resp.GetReuse()) })
}

// deleteReuse is DELETE /api/1/reuses/{reuse}/ (204; 410 when deleted
// already).
func (s *Server) deleteReuse(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	if _, err := s.catalog.DeleteReuse(r.Context(), &catalogv1.DeleteReuseRequest{Reuse: r.PathValue("reuse")}); err != nil {
		s.fail(w, r, err, kindReuse)
		return
	}
	writeNoContent(w)
}

// addReuseDataset is POST /api/1/reuses/{reuse}/datasets/: 201 when the
// dataset is linked, 200 when it was already; an unknown dataset is 404
// as udata's id_or_404.
func (s *Server) addReuseDataset(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	id, err := udata.ParseReuseDatasetLink(body)
	if err != nil {
		s.writeBodyError(w, err, kindReuse)
		return
	}
	if !ids.IsObjectID(id) {
		s.notFound(w, r, msgNotFound)
		return
	}
	resp, err := s.catalog.AddReuseDataset(r.Context(), &catalogv1.AddReuseDatasetRequest{Reuse: r.PathValue("reuse"), Dataset: id})
	if err != nil {
		s.fail(w, r, err, kindReuse)
		return
	}
	code := http.StatusOK
	if resp.GetAdded() {
		code = http.StatusCreated
	}
	s.writeJSON(w, code, func(jw *udata.Writer) { s.render.Reuse(jw, resp.GetReuse()) })
}

// reuseTypes is GET /api/1/reuses/types/.
func (s *Server) reuseTypes(w http.ResponseWriter, r *http.Request) {
	s.serveReferenceList(w, r, func(jw *udata.Writer, l *catalogv1.GetReferenceListsResponse) {
		s.render.Labels(jw, l.GetReuseTypes())
	})
}

// reuseTopics is GET /api/1/reuses/topics/.
func (s *Server) reuseTopics(w http.ResponseWriter, r *http.Request) {
	s.serveReferenceList(w, r, func(jw *udata.Writer, l *catalogv1.GetReferenceListsResponse) {
		s.render.Labels(jw, l.GetReuseTopics())
	})
}

// featureReuse is POST (featured) and DELETE (not featured)
// /api/1/reuses/{reuse}/featured/, for sysadmins.
func (s *Server) featureReuse(featured bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !requireAuth(w, r) {
			return
		}
		resp, err := s.catalog.UpdateReuse(r.Context(), &catalogv1.UpdateReuseRequest{
			Reuse: r.PathValue("reuse"), Input: &catalogv1.ReuseInput{Featured: featured},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"featured"}},
		})
		if err != nil {
			s.fail(w, r, err, kindReuse)
			return
		}
		s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Reuse(jw, resp.GetReuse()) })
	}
}
