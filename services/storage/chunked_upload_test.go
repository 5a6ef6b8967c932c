package storage_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/pkg/blob/blobtest"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
)

// split cuts data into parts of size (the last one shorter) and returns
// each part with its offset.
func split(data []byte, size int) (parts [][]byte, offsets []int64) {
	for off := 0; off < len(data); off += size {
		parts = append(parts, data[off:min(off+size, len(data))])
		offsets = append(offsets, int64(off))
	}
	return parts, offsets
}

func sha1hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

func TestChunkedUpload(t *testing.T) {
	data := blobtest.Bytes(3, 7<<20+123) // parts of 1 MiB, the last one short
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := testCtx(t)
		parts, offsets := split(data, 1<<20)

		t.Run("in order", func(t *testing.T) {
			const uuid = "11111111-2222-4333-8444-555555555555"
			for i, p := range parts {
				require.NoError(t, e.putChunk(ctx, uuid, "Export Complet.csv", i, len(parts), offsets[i], p))
			}
			f, err := e.complete(ctx, uuid, "Export Complet.csv", len(parts))
			require.NoError(t, err)
			assert.Equal(t, sha1hex(data), f.GetSha1())
			assert.Equal(t, int64(len(data)), f.GetSize())
			assert.Equal(t, "export-complet.csv", f.GetFilename())
			assert.Equal(t, "csv", f.GetFormat())
			assert.Regexp(t, keyPattern, f.GetKey())
			_, back := e.download(t, &storagev1.DownloadRequest{Key: f.GetKey()})
			assert.Equal(t, data, back)
			assert.Empty(t, e.objects(t, "chunks/"), "parts deleted")

			_, err = e.complete(ctx, uuid, "Export Complet.csv", len(parts))
			requireReason(t, err, codes.NotFound, "UPLOAD_NOT_FOUND", "")
		})

		t.Run("out of order with a retried part", func(t *testing.T) {
			const uuid = "66666666-2222-4333-8444-555555555555"
			order := []int{5, 2, 7, 0, 3, 3, 6, 1, 4, 2}
			for _, i := range order {
				require.NoError(t, e.putChunk(ctx, uuid, "export.csv.gz", i, len(parts), offsets[i], parts[i]))
			}
			// A retry whose first attempt was cut short stores nothing.
			err := e.putChunk(ctx, uuid, "export.csv.gz", 4, len(parts), offsets[4], parts[4][:100])
			require.NoError(t, err, "a shorter part with a matching chunksize is a valid part")
			require.NoError(t, e.putChunk(ctx, uuid, "export.csv.gz", 4, len(parts), offsets[4], parts[4]))
			f, err := e.complete(ctx, uuid, "export.csv.gz", len(parts))
			require.NoError(t, err)
			assert.Equal(t, sha1hex(data), f.GetSha1())
			assert.Equal(t, "csv.gz", f.GetFormat())
			assert.Empty(t, e.objects(t, "chunks/"))
		})

		t.Run("chunk size mismatch", func(t *testing.T) {
			const uuid = "77777777-2222-4333-8444-555555555555"
			for _, n := range []int{99, 101} {
				_, err := putChunkSized(ctx, e, uuid, "a.csv", 0, 2, 0, 100, make([]byte, n))
				requireReason(t, err, codes.InvalidArgument, "CHUNK_SIZE_MISMATCH", "Chunk size mismatch")
			}
			assert.Empty(t, e.objects(t, "chunks/"), "a mismatched part is not kept")
		})

		t.Run("missing parts then completed", func(t *testing.T) {
			const uuid = "88888888-2222-4333-8444-555555555555"
			for _, i := range []int{0, 2, 4, 5, 6} {
				require.NoError(t, e.putChunk(ctx, uuid, "b.csv", i, len(parts), offsets[i], parts[i]))
			}
			_, err := e.complete(ctx, uuid, "b.csv", len(parts))
			info := requireReason(t, err, codes.InvalidArgument, "MISSING_PARTS", "Missing parts: 3 part(s) not received (1,3,7)")
			assert.Equal(t, "1,3,7", info.GetMetadata()["missing"])
			for _, i := range []int{1, 3, 7} {
				require.NoError(t, e.putChunk(ctx, uuid, "b.csv", i, len(parts), offsets[i], parts[i]))
			}
			f, err := e.complete(ctx, uuid, "b.csv", len(parts))
			require.NoError(t, err)
			assert.Equal(t, sha1hex(data), f.GetSha1())
		})

		t.Run("totalparts, filename or offsets that change", func(t *testing.T) {
			const uuid = "99999999-2222-4333-8444-555555555555"
			require.NoError(t, e.putChunk(ctx, uuid, "c.csv", 0, 2, 0, []byte("a,b\n")))
			err := e.putChunk(ctx, uuid, "c.csv", 1, 3, 4, []byte("1,2\n"))
			requireReason(t, err, codes.InvalidArgument, "UPLOAD_MISMATCH", "totalparts changed from 2 to 3 for upload "+uuid)
			err = e.putChunk(ctx, uuid, "d.csv", 1, 2, 4, []byte("1,2\n"))
			requireReason(t, err, codes.InvalidArgument, "UPLOAD_MISMATCH", "")
			require.NoError(t, e.putChunk(ctx, uuid, "c.csv", 1, 2, 5, []byte("1,2\n")))
			_, err = e.complete(ctx, uuid, "c.csv", 3)
			requireReason(t, err, codes.InvalidArgument, "UPLOAD_MISMATCH", "")
			_, err = e.complete(ctx, uuid, "c.csv", 2)
			requireReason(t, err, codes.InvalidArgument, "UPLOAD_MISMATCH", "part 1 starts at byte 5, but the parts before it hold 4 bytes")
			require.NoError(t, e.putChunk(ctx, uuid, "c.csv", 1, 2, 4, []byte("1,2\n")))
			f, err := e.complete(ctx, uuid, "c.csv", 2)
			require.NoError(t, err)
			assert.Equal(t, sha1hex([]byte("a,b\n1,2\n")), f.GetSha1())
		})

		t.Run("bad fields", func(t *testing.T) {
			for _, h := range []*storagev1.ChunkHeader{
				{DatasetId: "d", Uuid: "../x", Filename: "a.csv", TotalParts: 2},
				{DatasetId: "", Uuid: "u", Filename: "a.csv", TotalParts: 2},
				{DatasetId: "d", Uuid: "u", Filename: "a.csv", TotalParts: 0},
				{DatasetId: "d", Uuid: "u", Filename: "a.csv", TotalParts: 2, PartIndex: 2},
				{DatasetId: "d", Uuid: "u", Filename: "a.csv", TotalParts: 2, PartIndex: -1},
				{DatasetId: "d", Uuid: "u", Filename: "a.csv", TotalParts: 2, ChunkSize: -1},
				{DatasetId: "d", Uuid: "u", Filename: "a.csv", TotalParts: 2, ChunkSize: 1 << 40},
			} {
				_, err := putChunkHeader(ctx, e, h, nil)
				requireReason(t, err, codes.InvalidArgument, "INVALID_REQUEST", "")
			}
			_, err := e.complete(ctx, "never-sent", "a.csv", 2)
			requireReason(t, err, codes.NotFound, "UPLOAD_NOT_FOUND", "")
		})

		t.Run("HTML refused when completing", func(t *testing.T) {
			const uuid = "aaaaaaaa-2222-4333-8444-555555555555"
			require.NoError(t, e.putChunk(ctx, uuid, "page.csv", 0, 2, 0, []byte("<!DOCTYPE html><html>")))
			require.NoError(t, e.putChunk(ctx, uuid, "page.csv", 1, 2, 21, []byte("</html>")))
			_, err := e.complete(ctx, uuid, "page.csv", 2)
			requireReason(t, err, codes.InvalidArgument, "HTML_CONTENT", "Incorrect file content type: HTML")
			assert.Empty(t, e.objects(t, "chunks/"), "parts of a refused upload are dropped")
		})
	})
}

// TestConcurrentComplete: two final calls for one upload at once store the
// file once; the other call is told the upload is busy or gone.
func TestConcurrentComplete(t *testing.T) {
	data := blobtest.Bytes(4, 6<<20)
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := testCtx(t)
		const uuid = "bbbbbbbb-2222-4333-8444-555555555555"
		parts, offsets := split(data, 2<<20)
		for i, p := range parts {
			require.NoError(t, e.putChunk(ctx, uuid, "d.csv", i, len(parts), offsets[i], p))
		}
		var wg sync.WaitGroup
		results := make([]error, 4)
		for i := range results {
			wg.Go(func() {
				_, results[i] = e.complete(ctx, uuid, "d.csv", len(parts))
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range results {
			if err == nil {
				ok++
				continue
			}
			code := status.Code(err)
			assert.True(t, code == codes.Aborted || code == codes.NotFound, "%v", err)
		}
		assert.Equal(t, 1, ok)
		assert.Len(t, e.objects(t, "resources/"), 1)
	})
}

func putChunkSized(ctx context.Context, e *env, uuid, name string, index, total int, offset, size int64, data []byte) (*storagev1.PutChunkResponse, error) {
	return putChunkHeader(ctx, e, &storagev1.ChunkHeader{
		DatasetId: "5f0c8a1e2b3c4d5e6f708192", Uuid: uuid, Filename: name,
		PartIndex: int32(index), PartByteOffset: offset, TotalParts: int32(total), ChunkSize: size,
	}, data)
}
