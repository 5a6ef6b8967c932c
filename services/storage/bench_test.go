package storage_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/blob/blobtest"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

// benchSize is the file uploaded per iteration; benchChunk is the part
// size data.gouv.fr's front end sends.
const (
	benchSize  = 256 << 20
	benchChunk = 20_000_000
)

// Run with, from services/storage (s3 needs MinIO, see scripts/minio.sh):
//
//	go test -run '^$' -bench . -benchtime 5x
//
// Every figure is MB/s of file bytes, durably stored (fs: fsync), client
// and server in one process over real gRPC on loopback, SQLite metadata.
// BenchmarkDiskWrite is the reference: what one writer with a 1 MiB buffer
// and an fsync reaches on the same disk (dd bs=1M conv=fsync).

// BenchmarkUpload: one request (Upload), sha1 and sha256 computed on the
// way.
func BenchmarkUpload(b *testing.B) {
	for _, backend := range blobtest.Backends() {
		b.Run(backend, func(b *testing.B) {
			e := benchEnv(b, backend)
			block := blobtest.Bytes(9, 1<<20)
			b.SetBytes(benchSize)
			for b.Loop() {
				_, err := storage.Upload(testCtx(b), e.client, header("bench.csv"), &repeatReader{block: block, n: benchSize})
				require.NoError(b, err)
			}
		})
	}
}

// BenchmarkChunkedUpload: 20 MB parts (PutChunk) then the final call that
// joins them (CompleteChunkedUpload): every byte is written twice.
func BenchmarkChunkedUpload(b *testing.B) {
	for _, backend := range blobtest.Backends() {
		b.Run(backend, func(b *testing.B) {
			e := benchEnv(b, backend)
			block := blobtest.Bytes(9, 1<<20)
			total := (benchSize + benchChunk - 1) / benchChunk
			b.SetBytes(benchSize)
			for i := 0; b.Loop(); i++ {
				ctx := testCtx(b)
				uuid := fmt.Sprintf("bench-%d", i)
				for p := range total {
					size := min(benchChunk, benchSize-p*benchChunk)
					_, err := storage.PutChunk(ctx, e.client, &storagev1.ChunkHeader{
						DatasetId: "5f0c8a1e2b3c4d5e6f708192", Uuid: uuid, Filename: "bench.csv",
						PartIndex: int32(p), PartByteOffset: int64(p * benchChunk), TotalParts: int32(total), ChunkSize: int64(size),
					}, &repeatReader{block: block, n: int64(size)})
					require.NoError(b, err)
				}
				_, err := e.complete(ctx, uuid, "bench.csv", total)
				require.NoError(b, err)
			}
		})
	}
}

// BenchmarkDownload streams a stored file whole over gRPC (fs: from the
// page cache).
func BenchmarkDownload(b *testing.B) {
	for _, backend := range blobtest.Backends() {
		b.Run(backend, func(b *testing.B) {
			e := benchEnv(b, backend)
			f, err := storage.Upload(testCtx(b), e.client, header("bench.csv"), &repeatReader{block: blobtest.Bytes(9, 1<<20), n: benchSize})
			require.NoError(b, err)
			b.SetBytes(benchSize)
			for b.Loop() {
				d, err := storage.OpenDownload(testCtx(b), e.client, &storagev1.DownloadRequest{Key: f.GetKey()})
				require.NoError(b, err)
				n, err := io.Copy(io.Discard, d)
				require.NoError(b, err)
				require.EqualValues(b, benchSize, n)
				d.Close()
			}
		})
	}
}

// BenchmarkDiskWrite is dd bs=1M conv=fsync into the directory the fs
// backend uses: the ceiling of BenchmarkUpload/fs.
func BenchmarkDiskWrite(b *testing.B) {
	dir := b.TempDir()
	block := blobtest.Bytes(9, 1<<20)
	b.SetBytes(benchSize)
	for i := 0; b.Loop(); i++ {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("dd-%d", i)))
		require.NoError(b, err)
		_, err = io.CopyBuffer(f, &repeatReader{block: block, n: benchSize}, make([]byte, 1<<20))
		require.NoError(b, err)
		require.NoError(b, f.Sync())
		require.NoError(b, f.Close())
	}
}

// benchEnv is a service with production settings (s3: 8 MiB parts).
func benchEnv(b *testing.B, backend string) *env {
	cfg := blobtest.Config(b, backend)
	bs, err := blob.Open(b.Context(), cfg)
	require.NoError(b, err)
	return startEnvOn(b, sqldbtest.Open(b, sqldb.SQLite), bs, backend, nil)
}

// repeatReader yields n bytes by cycling over block, so that the benchmark
// measures the service and not a generator.
type repeatReader struct {
	block []byte
	off   int
	n     int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n)]
	k := copy(p, r.block[r.off:])
	r.off = (r.off + k) % len(r.block)
	r.n -= int64(k)
	return k, nil
}
