package grpcapi_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// TestSignIn: a password set at creation or by SetPassword opens a session
// token that acts as the user until revoked; every failure looks the same.
func TestSignIn(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := testCtx(t)
		c := startEnv(t, db).client
		boot, err := c.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", FirstName: "Ada", LastName: "Min",
			Password: "un mot de passe long", Sysadmin: true, WithApiToken: true})
		require.NoError(t, err)
		admin := boot.GetApiToken()
		_, err = c.CreateUser(as(ctx, admin), &catalogv1.CreateUserRequest{Email: "short@example.org", Password: "court"})
		requireCode(t, err, codes.InvalidArgument)

		ttl := durationpb.New(time.Hour)
		in, err := c.SignIn(ctx, &catalogv1.SignInRequest{Email: "Admin@Example.org", Password: "un mot de passe long", SessionTtl: ttl})
		require.NoError(t, err)
		require.Equal(t, boot.GetUser().GetId(), in.GetUser().GetId())
		require.WithinDuration(t, time.Now().Add(time.Hour), in.GetExpiresAt().AsTime(), time.Minute)
		me, err := c.GetMe(as(ctx, in.GetToken()), &catalogv1.GetMeRequest{})
		require.NoError(t, err)
		require.Equal(t, "admin@example.org", me.GetUser().GetEmail())

		for _, bad := range []*catalogv1.SignInRequest{
			{Email: "admin@example.org", Password: "un mot de passe faux", SessionTtl: ttl},
			{Email: "nobody@example.org", Password: "un mot de passe long", SessionTtl: ttl},
			{Email: "admin", Password: "un mot de passe long", SessionTtl: ttl},
		} {
			_, err := c.SignIn(ctx, bad)
			st := requireCode(t, err, codes.Unauthenticated)
			require.Equal(t, "Invalid email or password", st.Message())
		}
		_, err = c.SignIn(ctx, &catalogv1.SignInRequest{Email: "admin@example.org", Password: "un mot de passe long"})
		requireCode(t, err, codes.InvalidArgument)

		// Sign-out: the session token revoked no longer acts.
		_, err = c.RevokeApiToken(as(ctx, in.GetToken()), &catalogv1.RevokeApiTokenRequest{Id: in.GetTokenId()})
		require.NoError(t, err)
		_, err = c.GetMe(as(ctx, in.GetToken()), &catalogv1.GetMeRequest{})
		requireCode(t, err, codes.Unauthenticated)

		// SetPassword: oneself, or a sysadmin for anyone; not another user.
		bob, err := c.CreateUser(as(ctx, admin), &catalogv1.CreateUserRequest{Email: "bob@example.org", FirstName: "Bob", WithApiToken: true})
		require.NoError(t, err)
		_, err = c.SignIn(ctx, &catalogv1.SignInRequest{Email: "bob@example.org", Password: "", SessionTtl: ttl})
		requireCode(t, err, codes.Unauthenticated)
		_, err = c.SetPassword(as(ctx, bob.GetApiToken()), &catalogv1.SetPasswordRequest{User: "admin@example.org", Password: "je prends la main"})
		requireCode(t, err, codes.PermissionDenied)
		_, err = c.SetPassword(as(ctx, bob.GetApiToken()), &catalogv1.SetPasswordRequest{Password: "le mot de passe de Bob"})
		require.NoError(t, err)
		_, err = c.SignIn(ctx, &catalogv1.SignInRequest{Email: "bob@example.org", Password: "le mot de passe de Bob", SessionTtl: ttl})
		require.NoError(t, err)
		_, err = c.SetPassword(as(ctx, admin), &catalogv1.SetPasswordRequest{User: "bob@example.org", Password: "remis par l'admin"})
		require.NoError(t, err)
		_, err = c.SignIn(ctx, &catalogv1.SignInRequest{Email: "bob@example.org", Password: "le mot de passe de Bob", SessionTtl: ttl})
		requireCode(t, err, codes.Unauthenticated)
	})
}
