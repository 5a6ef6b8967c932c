package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/sqldb"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

// TestRetentionCollector runs the collector with a 3 s retention: what
// abandoned uploads leave behind goes, live uploads stay.
func TestRetentionCollector(t *testing.T) {
	const retention = 3 * time.Second
	forEach(t, func(t *testing.T, db *sqldb.DB, backend string) {
		e := startEnv(t, db, backend, func(c *storage.Config) {
			c.PartRetention = retention
			c.CollectInterval = 100 * time.Millisecond
		})
		ctx := testCtx(t)
		bg := context.Background()

		// An abandoned chunked upload.
		const abandoned = "dddddddd-2222-4333-8444-555555555555"
		require.NoError(t, e.putChunk(ctx, abandoned, "a.csv", 0, 2, 0, []byte("a;b\n")))
		// A part whose upload row is gone (a crash, a retry after completion).
		_, err := e.blob.Put(bg, "chunks/5f0c8a1e2b3c4d5e6f708192/orphan/00000", strings.NewReader("x"), 1, blob.PutOptions{})
		require.NoError(t, err)
		// A key reserved by an upload that crashed after writing its bytes.
		const crashed = "resources/budget-primitif-2024/20250101-000000/crash.csv"
		_, err = db.ExecContext(bg, `INSERT INTO storage_files (object_key, state, dataset_id, created_at) VALUES (?, 'pending', 'd', ?)`,
			crashed, time.Now().UnixMicro())
		require.NoError(t, err)
		_, err = e.blob.Put(bg, crashed, strings.NewReader("a;b\n"), 4, blob.PutOptions{})
		require.NoError(t, err)
		// A live upload, whose first part will be older than the retention
		// but whose last part is not.
		const live = "eeeeeeee-2222-4333-8444-555555555555"
		require.NoError(t, e.putChunk(ctx, live, "live.csv", 0, 3, 0, []byte("a;b\n")))
		// A stored file, which the collector never touches.
		kept := e.upload(t, "kept.csv", []byte("k\n"))

		time.Sleep(retention * 2 / 3)
		require.NoError(t, e.putChunk(ctx, live, "live.csv", 1, 3, 4, []byte("1;2\n")))
		assert.Len(t, e.objects(t, "chunks/"), 4, "nothing collected before the retention")
		time.Sleep(retention * 2 / 3)
		require.NoError(t, e.putChunk(ctx, live, "live.csv", 2, 3, 8, []byte("3;4\n")))

		require.Eventually(t, func() bool {
			return len(e.objects(t, "chunks/5f0c8a1e2b3c4d5e6f708192/"+abandoned)) == 0 &&
				len(e.objects(t, "chunks/5f0c8a1e2b3c4d5e6f708192/orphan")) == 0 &&
				len(e.objects(t, crashed)) == 0
		}, 10*time.Second, 50*time.Millisecond)
		var rows int
		require.NoError(t, db.QueryRowContext(bg, `SELECT COUNT(*) FROM storage_files WHERE state = 'pending'`).Scan(&rows))
		assert.Zero(t, rows)
		_, err = e.complete(ctx, abandoned, "a.csv", 2)
		requireReason(t, err, codes.NotFound, "UPLOAD_NOT_FOUND", "")

		f, err := e.complete(ctx, live, "live.csv", 3)
		require.NoError(t, err, "a live upload keeps all its parts")
		assert.Equal(t, sha1hex([]byte("a;b\n1;2\n3;4\n")), f.GetSha1())
		_, back := e.download(t, &storagev1.DownloadRequest{Key: kept.GetKey()})
		assert.Equal(t, "k\n", string(back))
	})
}
