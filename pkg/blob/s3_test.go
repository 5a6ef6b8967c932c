package blob_test

import (
	"context"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/blob/blobtest"
)

// TestS3FailedUploadsAreAborted: a failed or cancelled multipart Put leaves
// no unfinished upload (and so no stored parts) in the bucket.
func TestS3FailedUploadsAreAborted(t *testing.T) {
	cfg := blobtest.Config(t, blob.BackendS3)
	cfg.S3.PartSize = blob.MinPartSize
	s, err := blob.Open(t.Context(), cfg)
	require.NoError(t, err)

	const n = 3 * blob.MinPartSize
	_, err = s.Put(t.Context(), "short", blobtest.Data(1, n-1), n, blob.PutOptions{})
	require.ErrorIs(t, err, blob.ErrSizeMismatch)
	_, err = s.Put(t.Context(), "long", blobtest.Data(1, n+1), n, blob.PutOptions{})
	require.ErrorIs(t, err, blob.ErrSizeMismatch)
	ctx, cancel := context.WithCancel(t.Context())
	r := &cancelAfter{r: blobtest.Data(1, n), n: 2 * blob.MinPartSize, cancel: cancel}
	_, err = s.Put(ctx, "cancelled", r, -1, blob.PutOptions{})
	require.ErrorIs(t, err, context.Canceled)

	client, err := minio.New(strings.TrimPrefix(cfg.S3.Endpoint, "http://"), &minio.Options{
		Creds: credentials.NewStaticV4(cfg.S3.AccessKey, cfg.S3.SecretKey, ""),
	})
	require.NoError(t, err)
	var pending []string
	for u := range client.ListIncompleteUploads(t.Context(), cfg.S3.Bucket, "", true) {
		require.NoError(t, u.Err)
		pending = append(pending, u.Key)
	}
	assert.Empty(t, pending)
}

type cancelAfter struct {
	r      interface{ Read([]byte) (int, error) }
	n      int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= int64(n); c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// TestS3EndpointForms: host:port and http://host:port both work.
func TestS3EndpointForms(t *testing.T) {
	cfg := blobtest.Config(t, blob.BackendS3)
	for _, ep := range []string{cfg.S3.Endpoint, strings.TrimPrefix(cfg.S3.Endpoint, "http://"), cfg.S3.Endpoint + "/"} {
		c := cfg
		c.S3.Endpoint = ep
		s, err := blob.Open(t.Context(), c)
		require.NoError(t, err, ep)
		_, err = s.Put(t.Context(), "k", strings.NewReader("x"), 1, blob.PutOptions{})
		require.NoError(t, err, ep)
	}
}

// TestS3UploadsCarryChecksums: uploads send unsigned payloads (no SHA-256
// of the body, which costs a fifth of the throughput here) with a CRC-32C
// trailer that the server verifies. MinIO keeps the checksum of multipart
// uploads, the path of large files: make sure it is there.
func TestS3UploadsCarryChecksums(t *testing.T) {
	cfg := blobtest.Config(t, blob.BackendS3)
	cfg.S3.PartSize = blob.MinPartSize
	s, err := blob.Open(t.Context(), cfg)
	require.NoError(t, err)
	client, err := minio.New(strings.TrimPrefix(cfg.S3.Endpoint, "http://"), &minio.Options{
		Creds: credentials.NewStaticV4(cfg.S3.AccessKey, cfg.S3.SecretKey, ""),
	})
	require.NoError(t, err)
	const n = 2*blob.MinPartSize + 1
	for _, size := range []int64{n, -1} {
		_, err := s.Put(t.Context(), "k", blobtest.Data(1, n), size, blob.PutOptions{})
		require.NoError(t, err)
		oi, err := client.StatObject(t.Context(), cfg.S3.Bucket, "k", minio.StatObjectOptions{Checksum: true})
		require.NoError(t, err)
		assert.NotEmpty(t, oi.ChecksumCRC32C, "size=%d", size)
	}
}
