package grpcapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// The ids filter (a page of search hits read in one call) narrows the
// list without widening what the caller may see: private reuses stay
// their owners', deleted ones nobody's, and the other filters still apply.
func TestListReusesByIDs(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := testCtx(t)
		c := startEnv(t, db).client

		boot, err := c.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", Sysadmin: true, WithApiToken: true})
		require.NoError(t, err)
		admin := boot.GetApiToken()
		newUser := func(email string) string {
			r, err := c.CreateUser(as(ctx, admin), &catalogv1.CreateUserRequest{Email: email, FirstName: "F", LastName: "L", WithApiToken: true})
			require.NoError(t, err)
			return r.GetApiToken()
		}
		alice, bob := newUser("alice@example.org"), newUser("bob@example.org")
		newReuse := func(key, title string, private bool) string {
			r, err := c.CreateReuse(as(ctx, key), &catalogv1.CreateReuseRequest{Reuse: &catalogv1.ReuseInput{
				Title: title, Description: "x", Type: "idea", Topic: "others", Url: "https://example.org/" + title, Private: private,
			}})
			require.NoError(t, err)
			return r.GetReuse().GetId()
		}
		r1, r2 := newReuse(alice, "un", false), newReuse(alice, "deux", false)
		priv := newReuse(bob, "brouillon", true)
		gone := newReuse(alice, "parti", false)
		_, err = c.DeleteReuse(as(ctx, alice), &catalogv1.DeleteReuseRequest{Reuse: gone})
		require.NoError(t, err)
		unknown := "5f0000000000000000000000"
		all := []string{r2, priv, unknown, gone, r1}

		ids := func(ctx context.Context, req *catalogv1.ListReusesRequest) ([]string, int64) {
			t.Helper()
			l, err := c.ListReuses(ctx, req)
			require.NoError(t, err, "%v", req)
			var out []string
			for _, r := range l.GetReuses() {
				out = append(out, r.GetId())
			}
			return out, l.GetTotal()
		}
		for _, tc := range []struct {
			name  string
			ctx   context.Context
			req   *catalogv1.ListReusesRequest
			want  []string
			total int64
		}{
			{"anonymous", ctx, &catalogv1.ListReusesRequest{Ids: all, IncludePrivate: true}, []string{r1, r2}, 2},
			{"another user", as(ctx, alice), &catalogv1.ListReusesRequest{Ids: all, IncludePrivate: true}, []string{r1, r2}, 2},
			{"the owner", as(ctx, bob), &catalogv1.ListReusesRequest{Ids: all, IncludePrivate: true}, []string{r1, r2, priv}, 3},
			{"the owner without include_private", as(ctx, bob), &catalogv1.ListReusesRequest{Ids: all}, []string{r1, r2}, 2},
			{"a sysadmin", as(ctx, admin), &catalogv1.ListReusesRequest{Ids: all, IncludePrivate: true}, []string{r1, r2, priv}, 3},
			{"one id", ctx, &catalogv1.ListReusesRequest{Ids: []string{r2}}, []string{r2}, 1},
			{"upper-case ids", ctx, &catalogv1.ListReusesRequest{Ids: []string{strings.ToUpper(r1)}}, []string{r1}, 1},
			{"only unseen ids", ctx, &catalogv1.ListReusesRequest{Ids: []string{gone, unknown}}, nil, 0},
			{"with another filter", ctx, &catalogv1.ListReusesRequest{Ids: all, Q: "deux"}, []string{r2}, 1},
			{"no ids: every listed reuse", ctx, &catalogv1.ListReusesRequest{}, []string{r1, r2}, 2},
		} {
			got, total := ids(tc.ctx, tc.req)
			assert.ElementsMatch(t, tc.want, got, tc.name)
			assert.Equal(t, tc.total, total, tc.name)
		}

		// Paging over ids keeps the list's sort (here: title).
		got, total := ids(ctx, &catalogv1.ListReusesRequest{Ids: all, Sort: "title", PageSize: 1, Page: 2})
		assert.Equal(t, []string{r1}, got)
		assert.Equal(t, int64(2), total)

		_, err = c.ListReuses(ctx, &catalogv1.ListReusesRequest{Ids: []string{r1, "nope"}})
		requireFieldViolation(t, err, "ids")
		tooMany := make([]string, 1001)
		for i := range tooMany {
			tooMany[i] = fmt.Sprintf("5f%022x", i)
		}
		_, err = c.ListReuses(ctx, &catalogv1.ListReusesRequest{Ids: tooMany})
		requireFieldViolation(t, err, "ids")
	})
}
