package storage_test

import (
	"bytes"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

// TestQuota: an organization's stored bytes stay within its quota, single
// and chunked, whether the size is declared or not; nothing is left of a
// refused upload; GetUsage reports usage and quota; overrides apply.
func TestQuota(t *testing.T) {
	forEach(t, func(t *testing.T, db *sqldb.DB, backend string) {
		e := startEnv(t, db, backend, func(c *storage.Config) {
			c.QuotaPerOrganization = 20
			c.OrganizationQuotas = []string{"unlimited-org=0", "big-org = 100"}
		})
		ctx := testCtx(t)
		const org = "5f0c8a1e2b3c4d5e6f700001"
		data := []byte("a;b\n1;2\n") // 8 bytes
		upload := func(org, name string, declare bool) (*storagev1.StoredFile, error) {
			h := header(name)
			h.OrganizationId = org
			if declare {
				n := int64(len(data))
				h.Size = &n
			}
			return storage.Upload(ctx, e.client, h, bytes.NewReader(data))
		}
		f1, err := upload(org, "a.csv", true)
		require.NoError(t, err)
		// A chunked upload whose parts fit (8 + 8 <= 20)...
		const uuid = "dddddddd-2222-4333-8444-555555555555"
		part := func(uuid string, index, total int, offset int64, b []byte) error {
			_, err := storage.PutChunk(ctx, e.client, &storagev1.ChunkHeader{
				DatasetId: header("").GetDatasetId(), Uuid: uuid, Filename: "c.csv", OrganizationId: org,
				PartIndex: int32(index), PartByteOffset: offset, TotalParts: int32(total), ChunkSize: int64(len(b)),
			}, bytes.NewReader(b))
			return err
		}
		require.NoError(t, part(uuid, 0, 2, 0, data[:4]))
		require.NoError(t, part(uuid, 1, 2, 4, data[4:]))
		// ...then another file takes the room.
		_, err = upload(org, "b.csv", false)
		require.NoError(t, err)
		const msg = "Organization quota exceeded (used 16 of 20 bytes)"
		for _, declare := range []bool{true, false} { // refused before, or after, storing
			_, err = upload(org, "c.csv", declare)
			info := requireReason(t, err, codes.ResourceExhausted, "QUOTA_EXCEEDED", msg)
			require.Equal(t, "16", info.GetMetadata()["used_bytes"])
			require.Equal(t, "20", info.GetMetadata()["quota_bytes"])
		}
		require.Len(t, e.objects(t, "resources/"), 2, "nothing left of refused uploads")

		// Chunked: the final call is refused, and so is a part past the quota.
		_, err = e.client.CompleteChunkedUpload(ctx, &storagev1.CompleteChunkedUploadRequest{
			DatasetId: header("").GetDatasetId(), DatasetSlug: "budget", Uuid: uuid, Filename: "c.csv", TotalParts: 2, OrganizationId: org,
		})
		requireReason(t, err, codes.ResourceExhausted, "QUOTA_EXCEEDED", msg)
		require.NoError(t, part("eeeeeeee-2222-4333-8444-555555555555", 0, 2, 0, data[:4]), "16 + 4 <= 20")
		err = part("eeeeeeee-2222-4333-8444-555555555555", 1, 2, 4, data[4:])
		requireReason(t, err, codes.ResourceExhausted, "QUOTA_EXCEEDED", msg)
		require.Len(t, e.objects(t, "resources/"), 2)

		u, err := e.client.GetUsage(ctx, &storagev1.GetUsageRequest{OrganizationId: org})
		require.NoError(t, err)
		require.Equal(t, int64(16), u.GetUsedBytes())
		require.Equal(t, int64(20), u.GetQuotaBytes())
		require.Equal(t, int64(2), u.GetFiles())

		// Deleting frees the space.
		_, err = e.client.DeleteFile(ctx, &storagev1.DeleteFileRequest{Key: f1.GetKey()})
		require.NoError(t, err)
		_, err = upload(org, "c.csv", true)
		require.NoError(t, err)

		// Overrides, and datasets without an organization.
		for range 3 {
			_, err = upload("unlimited-org", "u.csv", true)
			require.NoError(t, err)
			_, err = upload("", "n.csv", true)
			require.NoError(t, err)
		}
		u, err = e.client.GetUsage(ctx, &storagev1.GetUsageRequest{OrganizationId: "unlimited-org"})
		require.NoError(t, err)
		require.Equal(t, &storagev1.GetUsageResponse{UsedBytes: 24, QuotaBytes: 0, Files: 3}, &storagev1.GetUsageResponse{UsedBytes: u.GetUsedBytes(), QuotaBytes: u.GetQuotaBytes(), Files: u.GetFiles()})
		u, err = e.client.GetUsage(ctx, &storagev1.GetUsageRequest{OrganizationId: "big-org"})
		require.NoError(t, err)
		require.Equal(t, int64(100), u.GetQuotaBytes())
		_, err = e.client.GetUsage(ctx, &storagev1.GetUsageRequest{})
		requireReason(t, err, codes.InvalidArgument, "INVALID_REQUEST", "")
	})
}

func TestQuotaConfig(t *testing.T) {
	_, err := storage.New(testCtx(t), storage.Config{ServiceToken: "x", OrganizationQuotas: []string{"org"}}, storage.Deps{DB: sqldbtest.Open(t, sqldbtest.Drivers()[0])})
	require.ErrorContains(t, err, "organization_quotas")
}

// TestQuotaConcurrentCommits: uploads of one organization committing at
// once never pass its quota together (on PostgreSQL the commit counts
// under a lock per organization).
func TestQuotaConcurrentCommits(t *testing.T) {
	forEach(t, func(t *testing.T, db *sqldb.DB, backend string) {
		const quota, size, n = 1000, 400, 6 // room for two
		e := startEnv(t, db, backend, func(c *storage.Config) { c.QuotaPerOrganization = quota })
		ctx := testCtx(t)
		const org = "5f0c8a1e2b3c4d5e6f700002"
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := header("f" + strconv.Itoa(i) + ".csv")
				h.OrganizationId = org // no declared size: every upload passes the first check
				_, errs[i] = storage.Upload(ctx, e.client, h, bytes.NewReader(bytes.Repeat([]byte("a"), size)))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			requireReason(t, err, codes.ResourceExhausted, "QUOTA_EXCEEDED", "")
		}
		require.Equal(t, 2, ok, "exactly the uploads that fit")
		u, err := e.client.GetUsage(ctx, &storagev1.GetUsageRequest{OrganizationId: org})
		require.NoError(t, err)
		require.LessOrEqual(t, u.GetUsedBytes(), int64(quota))
	})
}
