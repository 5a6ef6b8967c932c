package api

import (
	"net/http"

	"github.com/relais-data/relais/pkg/ids"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// Followers, as udata's FollowAPI on /{datasets,organizations,reuses,
// users}/{id}/followers/: the object is looked up by id only (a slug is
// 404), GET lists live follows, POST follows (201, or 200 when the caller
// did already) and DELETE unfollows (200, 404 when the caller did not
// follow), both answering {"followers": n}.

// followerRoutes returns the three routes of one object type.
func (s *Server) followerRoutes(collection, objectType string) []route {
	path := "/api/1/" + collection + "/{id}/followers/"
	return []route{
		{"GET", path, s.masked(s.listFollowers(objectType))},
		{"POST", path, s.follow(objectType)},
		{"DELETE", path, s.unfollow(objectType)},
	}
}

func (s *Server) listFollowers(objectType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := newArgs(w, r)
		page, size, capped := pageArgs(a, defaultPageSize)
		user := a.str("user")
		if a.failed {
			return
		}
		if user != "" && !ids.IsObjectID(user) {
			writeMessage(w, http.StatusBadRequest, "User arg must be an identifier")
			return
		}
		if beyondAnyCatalog(page, size) {
			s.notFound(w, r, msgNotFound)
			return
		}
		resp, err := s.catalog.ListFollowers(r.Context(), &catalogv1.ListFollowersRequest{
			ObjectType: objectType, ObjectId: r.PathValue("id"), User: user, Page: int32(page), PageSize: int32(size),
		})
		if err != nil {
			s.fail(w, r, err, kindFollow)
			return
		}
		if pastTheEnd(page, size, len(resp.GetFollows())) {
			s.notFound(w, r, msgNotFound)
			return
		}
		info := s.pageInfo(r, page, size, resp.GetTotal(), capped)
		s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
			jw.Page(info, func(jw *udata.Writer) {
				for _, f := range resp.GetFollows() {
					s.render.Follow(jw, f)
				}
			})
		})
	}
}

func (s *Server) follow(objectType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !requireAuth(w, r) {
			return
		}
		resp, err := s.catalog.FollowObject(r.Context(), &catalogv1.FollowObjectRequest{ObjectType: objectType, ObjectId: r.PathValue("id")})
		if err != nil {
			s.fail(w, r, err, kindFollow)
			return
		}
		code := http.StatusOK
		if resp.GetCreated() {
			code = http.StatusCreated
		}
		writeFollowers(w, code, resp.GetFollowers())
	}
}

func (s *Server) unfollow(objectType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !requireAuth(w, r) {
			return
		}
		resp, err := s.catalog.UnfollowObject(r.Context(), &catalogv1.UnfollowObjectRequest{ObjectType: objectType, ObjectId: r.PathValue("id")})
		if err != nil {
			s.fail(w, r, err, kindFollow)
			return
		}
		writeFollowers(w, http.StatusOK, resp.GetFollowers())
	}
}

// writeFollowers answers {"followers": n}.
func writeFollowers(w http.ResponseWriter, code int, n int64) {
	jw := udata.NewWriter(32)
	jw.BeginObject()
	jw.Key("followers")
	jw.Int(n)
	jw.EndObject()
	sendJSON(w, code, jw.Bytes())
}
