package sqldb_test

import (
	"context"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// catalogV1 creates a table, then fills it in a dialect-specific version.
var catalogV1 = fstest.MapFS{
	"0001_create.sql": file(`
		CREATE TABLE datasets (id TEXT PRIMARY KEY, title TEXT NOT NULL);
		-- several statements in one file
		CREATE INDEX datasets_title ON datasets (title);`),
	"0002_dialect.sqlite.sql":   file(`INSERT INTO datasets (id, title) VALUES ('d', 'sqlite');`),
	"0002_dialect.postgres.sql": file(`INSERT INTO datasets (id, title) VALUES ('d', 'postgres');`),
	"README.md":                 file("not a migration"),
	"sub/0009_ignored.sql":      file("not at the root"),
}

func appliedVersions(t *testing.T, db *sqldb.DB, set string) map[int64]int64 {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT version, applied_at FROM schema_migrations WHERE set_name = ?`, set)
	require.NoError(t, err)
	defer rows.Close()
	got := map[int64]int64{}
	for rows.Next() {
		var v, at int64
		require.NoError(t, rows.Scan(&v, &at))
		got[v] = at
	}
	require.NoError(t, rows.Err())
	return got
}

func tableExists(t *testing.T, db *sqldb.DB, table string) bool {
	t.Helper()
	_, err := db.ExecContext(t.Context(), `SELECT 1 FROM `+table+` WHERE 1 = 0`)
	return err == nil
}

func TestMigrate(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		require.NoError(t, db.Migrate(ctx, "catalog", catalogV1))

		var title string
		require.NoError(t, db.QueryRowContext(ctx, `SELECT title FROM datasets WHERE id = ?`, "d").Scan(&title))
		assert.Equal(t, string(db.Driver()), title, "the dialect file ran")
		applied := appliedVersions(t, db, "catalog")
		assert.Len(t, applied, 2)

		// Idempotent: nothing reruns (the INSERT would fail on its key).
		require.NoError(t, db.Migrate(ctx, "catalog", catalogV1))
		assert.Equal(t, applied, appliedVersions(t, db, "catalog"))

		// Another set on the same database, with the same version numbers.
		outbox := fstest.MapFS{"0001_outbox.sql": file(`CREATE TABLE outbox (id BIGINT PRIMARY KEY)`)}
		require.NoError(t, db.Migrate(ctx, "outbox", outbox))
		assert.Len(t, appliedVersions(t, db, "outbox"), 1)
		assert.Equal(t, applied, appliedVersions(t, db, "catalog"))

		// New versions are applied on the next run, empty files included.
		catalogV2 := fstest.MapFS{
			"0003_more.sql":             file(`ALTER TABLE datasets ADD COLUMN slug TEXT`),
			"0004_pg_only.sqlite.sql":   file("-- nothing to do on SQLite\n"),
			"0004_pg_only.postgres.sql": file(`CREATE INDEX datasets_slug ON datasets (slug)`),
		}
		for name, f := range catalogV1 {
			catalogV2[name] = f
		}
		require.NoError(t, db.Migrate(ctx, "catalog", catalogV2))
		assert.Len(t, appliedVersions(t, db, "catalog"), 4)
		_, err := db.ExecContext(ctx, `UPDATE datasets SET slug = ? WHERE id = ?`, "s", "d")
		require.NoError(t, err)
	})
}

func TestMigrateFailureRollsBackTheVersion(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		broken := fstest.MapFS{
			"0001_ok.sql": file(`CREATE TABLE a (id INTEGER PRIMARY KEY)`),
			"0002_broken.sql": file(`
				CREATE TABLE b (id INTEGER PRIMARY KEY);
				INSERT INTO a (id) VALUES (1);
				THIS IS NOT SQL;`),
			"0003_after.sql": file(`CREATE TABLE c (id INTEGER PRIMARY KEY)`),
		}
		err := db.Migrate(ctx, "s", broken)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "migrate s 0002 (0002_broken.sql)")

		assert.Equal(t, []int64{1}, keys(appliedVersions(t, db, "s")))
		assert.True(t, tableExists(t, db, "a"))
		assert.False(t, tableExists(t, db, "b"), "DDL of the failed version rolled back")
		assert.False(t, tableExists(t, db, "c"), "later versions not applied")
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM a`).Scan(&n))
		assert.Zero(t, n, "DML of the failed version rolled back")

		broken["0002_broken.sql"] = file(`CREATE TABLE b (id INTEGER PRIMARY KEY)`)
		require.NoError(t, db.Migrate(ctx, "s", broken))
		assert.Len(t, appliedVersions(t, db, "s"), 3)
	})
}

func TestMigrateRejectsBadFiles(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	for name, fsys := range map[string]fstest.MapFS{
		"bad name":            {"001-create.sql": file("")},
		"common and dialect":  {"0001_a.sql": file(""), "0001_a.sqlite.sql": file("")},
		"two common files":    {"0001_a.sql": file(""), "0001_b.sql": file("")},
		"no file for dialect": {"0001_a.postgres.sql": file("")},
		"unknown dialect":     {"0001_a.mysql.sql": file("")},
	} {
		t.Run(name, func(t *testing.T) {
			require.Error(t, db.Migrate(t.Context(), "bad", fsys))
		})
	}
	require.Error(t, db.Migrate(t.Context(), "", fstest.MapFS{}))
}

// TestMigrateConcurrently plays several processes starting at once on one
// database, each migrating two sets: every version must be applied exactly
// once and no process may fail.
func TestMigrateConcurrently(t *testing.T) {
	for _, d := range sqldbtest.Drivers() {
		t.Run(string(d), func(t *testing.T) {
			cfg := sqldbtest.Config(t, d)
			sets := map[string]fstest.MapFS{
				"catalog": {
					"0001_a.sql": file(`CREATE TABLE runs (n INTEGER NOT NULL); INSERT INTO runs VALUES (1)`),
					"0002_b.sql": file(`UPDATE runs SET n = n + 1`),
					"0003_c.sql": file(`UPDATE runs SET n = n + 1`),
				},
				"outbox": {
					"0001_a.sql": file(`CREATE TABLE outbox_runs (n INTEGER NOT NULL); INSERT INTO outbox_runs VALUES (1)`),
					"0002_b.sql": file(`UPDATE outbox_runs SET n = n + 1`),
				},
			}
			const processes = 4
			var wg sync.WaitGroup
			errs := make(chan error, processes*len(sets))
			dbs := make([]*sqldb.DB, processes)
			for i := range dbs {
				db, err := sqldb.Open(t.Context(), cfg)
				require.NoError(t, err)
				t.Cleanup(func() { require.NoError(t, db.Close()) })
				dbs[i] = db
			}
			for _, db := range dbs {
				wg.Go(func() {
					for set, fsys := range sets {
						errs <- db.Migrate(context.Background(), set, fsys)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}

			var n int
			require.NoError(t, dbs[0].QueryRowContext(t.Context(), `SELECT n FROM runs`).Scan(&n))
			assert.Equal(t, 3, n)
			require.NoError(t, dbs[0].QueryRowContext(t.Context(), `SELECT n FROM outbox_runs`).Scan(&n))
			assert.Equal(t, 2, n)
		})
	}
}

func keys(m map[int64]int64) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
