package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/catalog/internal/app"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// BootstrapAdmin creates the user with this email (a sysadmin when
// sysadmin is set), or finds the existing one (promoting it when asked),
// and returns a new API token for it. It works directly on the database
// (migrating it first), so that `relais admin create-user --email x
// --sysadmin` needs no running server; running it twice creates no second
// user, only a second token.
func BootstrapAdmin(ctx context.Context, db *sqldb.DB, tokenSecret, email string, sysadmin bool) (userID, token string, err error) {
	return BootstrapUser(ctx, db, tokenSecret, NewUser{Email: email, Sysadmin: sysadmin})
}

// NewUser is who BootstrapUser creates. The names are set only when the
// user is created (udata's PUT /me requires both, so give them).
type NewUser struct {
	Email               string
	FirstName, LastName string
	Sysadmin            bool
}

// BootstrapUser is BootstrapAdmin with the user's names.
func BootstrapUser(ctx context.Context, db *sqldb.DB, tokenSecret string, nu NewUser) (userID, token string, err error) {
	email := nu.Email
	if tokenSecret == "" {
		return "", "", errors.New("bootstrap admin: token_secret is required")
	}
	if err := migrate(ctx, db); err != nil {
		return "", "", err
	}
	svc := app.New(store.New(db), app.Options{TokenSecret: []byte(tokenSecret), Log: slog.New(slog.DiscardHandler)})
	u, token, err := svc.EnsureUserToken(ctx, email, nu.FirstName, nu.LastName, nu.Sysadmin)
	if err != nil {
		return "", "", fmt.Errorf("bootstrap admin %s: %w", email, err)
	}
	return u.GetId(), token, nil
}

// SetUserPassword sets the password of the user with this email, directly
// on the database (migrating it first): `relais admin set-password` and
// the demo administrator's password, with no running server.
func SetUserPassword(ctx context.Context, db *sqldb.DB, tokenSecret, email, password string) error {
	if err := migrate(ctx, db); err != nil {
		return err
	}
	svc := app.New(store.New(db), app.Options{TokenSecret: []byte(tokenSecret), Log: slog.New(slog.DiscardHandler)})
	if err := svc.SetPasswordOf(ctx, email, password); err != nil {
		return fmt.Errorf("set password of %s: %w", email, err)
	}
	return nil
}
