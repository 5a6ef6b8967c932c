// Package blobtest is the conformance suite of blob.Store (Run) and opens
// throwaway stores for tests: fs always, s3 when RELAIS_TEST_S3_ENDPOINT
// names a server (scripts/minio.sh start DIR starts MinIO and prints its
// endpoint and credentials). With RELAIS_TEST_REQUIRE_S3=1 a missing
// endpoint fails the test instead of skipping s3, so that CI cannot silently
// lose coverage.
package blobtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/relais-data/relais/pkg/blob"
)

// Environment variables read by this package.
const (
	EnvS3Endpoint  = "RELAIS_TEST_S3_ENDPOINT"   // http://127.0.0.1:PORT or host:port
	EnvS3AccessKey = "RELAIS_TEST_S3_ACCESS_KEY" // root user of the test server
	EnvS3SecretKey = "RELAIS_TEST_S3_SECRET_KEY"
	EnvRequireS3   = "RELAIS_TEST_REQUIRE_S3" // "1": fail rather than skip s3
)

// Backends returns the backends to test: fs, plus s3 when
// RELAIS_TEST_S3_ENDPOINT is set or RELAIS_TEST_REQUIRE_S3=1 (then Open
// fails the test if the endpoint is missing).
func Backends() []string {
	if os.Getenv(EnvS3Endpoint) != "" || os.Getenv(EnvRequireS3) == "1" {
		return []string{blob.BackendFS, blob.BackendS3}
	}
	return []string{blob.BackendFS}
}

// ForEach runs fn as a subtest named after each backend of Backends, each
// with a fresh, empty store.
func ForEach(t *testing.T, fn func(t *testing.T, s blob.Store)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b, func(t *testing.T) { fn(t, Open(t, b)) })
	}
}

// Open returns a fresh, empty store: fs in a directory under t.TempDir(), s3
// in a new bucket on the RELAIS_TEST_S3_ENDPOINT server, removed with its
// contents when the test ends. The s3 store uses the smallest part size,
// 5 MiB, so that modest objects already go up as multipart uploads.
func Open(t testing.TB, backend string) blob.Store {
	t.Helper()
	cfg := Config(t, backend)
	cfg.S3.PartSize = blob.MinPartSize
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := blob.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("blobtest: %v", err)
	}
	return s
}

// Config returns the configuration of a fresh, empty store, cleaned up like
// Open's (s3: default part size, create_bucket set); use it to tune the
// configuration or to open the same store twice.
func Config(t testing.TB, backend string) blob.Config {
	t.Helper()
	switch backend {
	case blob.BackendFS:
		return blob.Config{Backend: blob.BackendFS, Dir: filepath.Join(t.TempDir(), "blobs")}
	case blob.BackendS3:
		return s3Config(t)
	default:
		t.Fatalf("blobtest: unknown backend %q", backend)
		return blob.Config{}
	}
}

func s3Config(t testing.TB) blob.Config {
	t.Helper()
	endpoint := os.Getenv(EnvS3Endpoint)
	if endpoint == "" {
		if os.Getenv(EnvRequireS3) == "1" {
			t.Fatalf("blobtest: %s=1 but %s is not set (start MinIO with scripts/minio.sh start DIR)", EnvRequireS3, EnvS3Endpoint)
		}
		t.Skipf("blobtest: %s not set", EnvS3Endpoint)
	}
	cfg := blob.Config{Backend: blob.BackendS3, S3: blob.S3Config{
		Endpoint:     endpoint,
		Bucket:       "relais-test-" + randomHex(8),
		AccessKey:    os.Getenv(EnvS3AccessKey),
		SecretKey:    os.Getenv(EnvS3SecretKey),
		CreateBucket: true,
	}}
	t.Cleanup(func() { removeBucket(t, cfg.S3) })
	return cfg
}

// removeBucket deletes the bucket with its objects and unfinished uploads
// (MinIO's force delete). A bucket that was never created is not an error.
func removeBucket(t testing.TB, cfg blob.S3Config) {
	u, secure := cfg.Endpoint, false
	for _, scheme := range []string{"http://", "https://"} {
		if len(u) > len(scheme) && u[:len(scheme)] == scheme {
			u, secure = u[len(scheme):], scheme == "https://"
		}
	}
	client, err := minio.New(u, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: secure})
	if err != nil {
		t.Errorf("blobtest: remove bucket %s: %v", cfg.Bucket, err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = client.RemoveBucketWithOptions(ctx, cfg.Bucket, minio.RemoveBucketOptions{ForceDelete: true})
	if err != nil && minio.ToErrorResponse(err).Code != "NoSuchBucket" {
		t.Errorf("blobtest: remove bucket %s: %v", cfg.Bucket, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
