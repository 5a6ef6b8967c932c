package blob_test

import (
	"slices"
	"testing"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/blob/blobtest"
)

func TestFSConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store { return blobtest.Open(t, blob.BackendFS) })
}

// TestS3Conformance runs against the server named by RELAIS_TEST_S3_ENDPOINT
// (scripts/minio.sh start DIR), a fresh bucket per case; it skips when that
// is unset, and fails instead when RELAIS_TEST_REQUIRE_S3=1.
func TestS3Conformance(t *testing.T) {
	if !slices.Contains(blobtest.Backends(), blob.BackendS3) {
		t.Skipf("%s not set (scripts/minio.sh start DIR)", blobtest.EnvS3Endpoint)
	}
	blobtest.Run(t, func(t *testing.T) blob.Store { return blobtest.Open(t, blob.BackendS3) })
}
