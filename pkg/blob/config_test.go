package blob_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/blob/blobtest"
)

func TestOpenErrors(t *testing.T) {
	ctx := t.Context()
	for name, cfg := range map[string]blob.Config{
		"unknown backend":   {Backend: "ftp", Dir: t.TempDir()},
		"fs without dir":    {Backend: blob.BackendFS},
		"s3 without host":   {Backend: blob.BackendS3, S3: blob.S3Config{Bucket: "b"}},
		"s3 without bucket": {Backend: blob.BackendS3, S3: blob.S3Config{Endpoint: "127.0.0.1:1"}},
		"s3 bad scheme":     {Backend: blob.BackendS3, S3: blob.S3Config{Endpoint: "ftp://127.0.0.1:1", Bucket: "b"}},
		"s3 endpoint path":  {Backend: blob.BackendS3, S3: blob.S3Config{Endpoint: "http://127.0.0.1:1/x", Bucket: "b"}},
		"s3 small parts":    {Backend: blob.BackendS3, S3: blob.S3Config{Endpoint: "127.0.0.1:1", Bucket: "b", PartSize: 1 << 20}},
	} {
		_, err := blob.Open(ctx, cfg)
		assert.Error(t, err, name)
	}
	// A file where the directory should be.
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := blob.Open(ctx, blob.Config{Dir: file})
	assert.Error(t, err)
}

// TestOpenS3MissingBucket: without create_bucket, a missing bucket fails
// Open; with it, Open creates the bucket.
func TestOpenS3MissingBucket(t *testing.T) {
	cfg := blobtest.Config(t, blob.BackendS3)
	cfg.S3.CreateBucket = false
	_, err := blob.Open(t.Context(), cfg)
	assert.ErrorContains(t, err, "does not exist")
	cfg.S3.CreateBucket = true
	_, err = blob.Open(t.Context(), cfg)
	require.NoError(t, err)
	_, err = blob.Open(t.Context(), cfg) // and again, the bucket now exists
	require.NoError(t, err)

	bad := cfg
	bad.S3.SecretKey = "wrong-secret"
	_, err = blob.Open(t.Context(), bad)
	assert.Error(t, err)
}
