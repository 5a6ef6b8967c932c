package catalog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/catalog"
)

func TestBootstrapAdminIsIdempotent(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		id1, tok1, err := catalog.BootstrapAdmin(ctx, db, "secret", "admin@example.org", true)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(tok1, "udata_"))
		id2, tok2, err := catalog.BootstrapAdmin(ctx, db, "secret", "Admin@Example.org", true)
		require.NoError(t, err)
		require.Equal(t, id1, id2, "the same user")
		require.NotEqual(t, tok1, tok2, "a fresh token each time")

		svc, err := catalog.New(ctx, catalog.Config{TokenSecret: "secret"}, catalog.Deps{DB: db})
		require.NoError(t, err)
		_, err = svc.Authenticate(ctx, tok1)
		require.NoError(t, err)
		_, err = svc.Authenticate(ctx, tok2)
		require.NoError(t, err)
		_, err = svc.Authenticate(ctx, "udata_wrong")
		require.ErrorContains(t, err, "Invalid API token")
	})
}
