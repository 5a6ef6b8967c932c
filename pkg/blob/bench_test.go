package blob_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/blob/blobtest"
)

const benchSize = 64 << 20

// openBench opens a store with the production defaults (s3: 8 MiB parts).
func openBench(b *testing.B, backend string) blob.Store {
	s, err := blob.Open(b.Context(), blobtest.Config(b, backend))
	require.NoError(b, err)
	return s
}

// repeatReader yields n bytes by cycling over block, so that the benchmark
// measures the store and not a generator.
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

// BenchmarkPut stores a 64 MiB object per iteration, durably (fs: fsync;
// s3: MinIO's own). Compare fs with
// dd if=/dev/zero of=DIR/f bs=1M count=64 conv=fsync on the same disk.
func BenchmarkPut(b *testing.B) {
	block := blobtest.Bytes(1, 1<<20)
	for _, backend := range blobtest.Backends() {
		for _, sized := range []bool{true, false} {
			name := backend + "/size-known"
			if !sized {
				name = backend + "/size-unknown"
			}
			b.Run(name, func(b *testing.B) {
				s := openBench(b, backend)
				size := int64(benchSize)
				if !sized {
					size = -1
				}
				b.SetBytes(benchSize)
				for i := 0; b.Loop(); i++ { // a new object each time, as uploads are
					_, err := s.Put(b.Context(), fmt.Sprintf("bench/%d", i), &repeatReader{block: block, n: benchSize}, size, blob.PutOptions{})
					require.NoError(b, err)
				}
			})
		}
	}
}

// BenchmarkGet reads a 64 MiB object per iteration (fs: from the page
// cache, as a recently written file is).
func BenchmarkGet(b *testing.B) {
	block := blobtest.Bytes(1, 1<<20)
	for _, backend := range blobtest.Backends() {
		b.Run(backend, func(b *testing.B) {
			s := openBench(b, backend)
			_, err := s.Put(b.Context(), "bench/object", &repeatReader{block: block, n: benchSize}, benchSize, blob.PutOptions{})
			require.NoError(b, err)
			b.SetBytes(benchSize)
			for b.Loop() {
				rc, _, err := s.Get(b.Context(), "bench/object", nil)
				require.NoError(b, err)
				n, err := io.Copy(io.Discard, rc)
				require.NoError(b, err)
				require.Equal(b, int64(benchSize), n)
				require.NoError(b, rc.Close())
			}
		})
	}
}
