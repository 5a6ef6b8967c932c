package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/blob"
)

const mib = 1 << 20

// LargeObjectSize is the size of the large-object case.
const LargeObjectSize = 64 * mib

// onlyReader hides every method but Read (bytes.Reader's WriterTo, ReaderAt
// and Seek), as a network body would.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// assertObject checks that key holds exactly Data(seed, n).
func assertObject(t *testing.T, s blob.Store, key string, seed uint64, n int64) {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key, nil)
	require.NoError(t, err, key)
	defer rc.Close()
	h := sha256.New()
	got, err := io.Copy(h, rc)
	require.NoError(t, err, key)
	assert.Equal(t, n, got, "%s: bytes read", key)
	assert.Equal(t, n, info.Size, "%s: Info.Size", key)
	assert.Equal(t, SHA256(seed, n), [32]byte(h.Sum(nil)), "%s: content", key)
}

func testUnknownSize(t *testing.T, s blob.Store) {
	// Around the s3 backend's single-PUT threshold (1 MiB) and across parts.
	for i, n := range []int64{10, mib - 1, mib, mib + 1, 7*mib + 3, 12 * mib} {
		key := fmt.Sprintf("unknown/%d", n)
		info, err := s.Put(t.Context(), key, Data(uint64(i), n), -1, blob.PutOptions{})
		require.NoError(t, err, key)
		assert.Equal(t, n, info.Size, key)
		assertObject(t, s, key, uint64(i), n)
		st, err := s.Stat(t.Context(), key)
		require.NoError(t, err)
		assert.Equal(t, info.ETag, st.ETag)
	}
}

func testSizeMismatch(t *testing.T, s blob.Store) {
	ctx := t.Context()
	put(t, s, "kept", []byte("previous version"), blob.PutOptions{})
	for _, c := range []struct {
		name          string
		declared, got int64
	}{
		{"short", 100, 50},
		{"long", 100, 150},
		{"empty but declared", 10, 0},
		{"declared empty", 0, 1},
		{"short multipart", 12 * mib, 11 * mib},
		{"long multipart", 12 * mib, 12*mib + 1},
		{"long, whole 5 MiB parts", 10 * mib, 10*mib + 1},
		{"long, whole 16 MiB parts", 16 * mib, 16*mib + 1},
	} {
		for _, key := range []string{"kept", "fresh"} {
			_, err := s.Put(ctx, key, onlyReader{Data(7, c.got)}, c.declared, blob.PutOptions{})
			assert.ErrorIs(t, err, blob.ErrSizeMismatch, "%s %s", c.name, key)
		}
		got, _ := get(t, s, "kept", nil)
		assert.Equal(t, "previous version", string(got), c.name)
		_, err := s.Stat(ctx, "fresh")
		assert.ErrorIs(t, err, blob.ErrNotFound, c.name)
	}
	assert.Equal(t, []string{"kept"}, keys(t, s, ""))
}

// failingReader yields n bytes of Data then fails with err.
type failingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= int64(n)
	return n, err
}

func testReaderError(t *testing.T, s blob.Store) {
	ctx := t.Context()
	put(t, s, "kept", []byte("previous version"), blob.PutOptions{})
	boom := errors.New("client went away")
	for _, after := range []int64{0, 100, 3 * mib, 7 * mib} {
		for _, size := range []int64{-1, 16 * mib} {
			for _, key := range []string{"kept", "fresh"} {
				r := &failingReader{r: Data(3, 16*mib), n: after, err: boom}
				_, err := s.Put(ctx, key, r, size, blob.PutOptions{})
				assert.ErrorIs(t, err, boom, "after %d bytes, size %d, key %s", after, size, key)
			}
		}
	}
	got, _ := get(t, s, "kept", nil)
	assert.Equal(t, "previous version", string(got))
	assert.Equal(t, []string{"kept"}, keys(t, s, ""))
}

// cancellingReader yields Data and cancels the upload's context after n
// bytes, then keeps yielding: the store must notice the context.
type cancellingReader struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n <= 0 {
		c.cancel()
	}
	return n, err
}

func testCancelMidUpload(t *testing.T, s blob.Store) {
	put(t, s, "kept", []byte("previous version"), blob.PutOptions{})
	for _, size := range []int64{-1, 32 * mib} {
		for _, key := range []string{"kept", "fresh"} {
			ctx, cancel := context.WithCancel(t.Context())
			r := &cancellingReader{r: Data(5, 32*mib), n: 6 * mib, cancel: cancel}
			_, err := s.Put(ctx, key, r, size, blob.PutOptions{})
			cancel()
			assert.ErrorIs(t, err, context.Canceled, "size %d key %s", size, key)
		}
	}
	got, _ := get(t, s, "kept", nil)
	assert.Equal(t, "previous version", string(got))
	_, err := s.Stat(t.Context(), "fresh")
	assert.ErrorIs(t, err, blob.ErrNotFound)
	assert.Equal(t, []string{"kept"}, keys(t, s, ""))
}

func testConcurrentPuts(t *testing.T, s blob.Store) {
	const workers = 8
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for i := range workers {
		wg.Go(func() {
			n := int64(mib + i*1000)
			_, errs[i] = s.Put(t.Context(), fmt.Sprintf("concurrent/dir/%d", i), Data(uint64(i), n), n, blob.PutOptions{})
		})
	}
	wg.Wait()
	for i := range workers {
		require.NoError(t, errs[i])
		assertObject(t, s, fmt.Sprintf("concurrent/dir/%d", i), uint64(i), int64(mib+i*1000))
	}
	assert.Len(t, keys(t, s, "concurrent/"), workers)
}

// testConcurrentOverwrites: writers race on one key; a reader sees exactly
// one writer's object, never a mix.
func testConcurrentOverwrites(t *testing.T, s blob.Store) {
	const workers = 6
	const n = 2*mib + 17
	var wg sync.WaitGroup
	etags := make([]string, workers)
	for i := range workers {
		wg.Go(func() {
			info, err := s.Put(t.Context(), "contended", Data(uint64(100+i), n), n, blob.PutOptions{Metadata: map[string]string{"writer": fmt.Sprint(i)}})
			assert.NoError(t, err)
			etags[i] = info.ETag
		})
	}
	wg.Wait()
	got, info := get(t, s, "contended", nil)
	var w int
	_, err := fmt.Sscan(info.Metadata["writer"], &w)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(Bytes(uint64(100+w), n), got), "content is writer %d's", w)
	assert.Equal(t, etags[w], info.ETag)
}

// testConcurrentPutDelete races Puts with Deletes that empty the same
// directories, which the fs backend removes.
func testConcurrentPutDelete(t *testing.T, s blob.Store) {
	const workers, rounds = 6, 15
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			key := fmt.Sprintf("race/%d/x", i%2)
			for range rounds {
				if _, err := s.Put(t.Context(), key, bytes.NewReader([]byte("data")), 4, blob.PutOptions{}); err != nil {
					t.Errorf("put %s: %v", key, err)
					return
				}
				if err := s.Delete(t.Context(), key); err != nil {
					t.Errorf("delete %s: %v", key, err)
					return
				}
			}
		})
	}
	wg.Wait()
	assert.Empty(t, keys(t, s, ""))
	put(t, s, "race/0/x", []byte("final"), blob.PutOptions{})
	got, _ := get(t, s, "race/0/x", nil)
	assert.Equal(t, "final", string(got))
}

// testLargeObject streams LargeObjectSize bytes in and out and checks that
// neither direction holds the object in memory.
func testLargeObject(t *testing.T, s blob.Store) {
	const n, limit = LargeObjectSize, LargeObjectSize / 4
	var info blob.Info
	var err error
	growth := PeakHeapGrowth(func() {
		info, err = s.Put(t.Context(), "large/object.bin", Data(42, n), n, blob.PutOptions{ContentType: "application/zip"})
	})
	require.NoError(t, err)
	assert.Equal(t, int64(n), info.Size)
	t.Logf("put %d MiB: heap grew by %.1f MiB at most", n/mib, float64(growth)/mib)
	assert.Less(t, growth, uint64(limit), "Put must stream, not buffer the object")

	growth = PeakHeapGrowth(func() { assertObject(t, s, "large/object.bin", 42, n) })
	t.Logf("get %d MiB: heap grew by %.1f MiB at most", n/mib, float64(growth)/mib)
	assert.Less(t, growth, uint64(limit), "Get must stream, not buffer the object")

	got, _ := get(t, s, "large/object.bin", &blob.Range{Offset: n - 10, Length: 100})
	tail := Data(42, n)
	_, err = io.CopyN(io.Discard, tail, n-10)
	require.NoError(t, err)
	want, _ := io.ReadAll(tail)
	assert.Equal(t, want, got)
}
