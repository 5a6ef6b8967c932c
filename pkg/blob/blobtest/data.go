package blobtest

import (
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"
)

// Data returns a reader of n deterministic pseudo-random bytes for seed,
// generated as they are read: it never holds them.
func Data(seed uint64, n int64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return &dataReader{src: rand.NewChaCha8(key), n: n}
}

type dataReader struct {
	src *rand.ChaCha8
	n   int64
}

func (d *dataReader) Read(p []byte) (int, error) {
	if d.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > d.n {
		p = p[:d.n]
	}
	_, _ = d.src.Read(p)
	d.n -= int64(len(p))
	return len(p), nil
}

// Bytes returns what Data(seed, n) yields.
func Bytes(seed uint64, n int64) []byte {
	b, _ := io.ReadAll(Data(seed, n))
	return b
}

// SHA256 returns the SHA-256 of what Data(seed, n) yields.
func SHA256(seed uint64, n int64) [32]byte {
	h := sha256.New()
	_, _ = io.Copy(h, Data(seed, n))
	return [32]byte(h.Sum(nil))
}

// PeakHeapGrowth runs fn and returns how far the in-use heap rose above its
// level before fn, sampled every few milliseconds. It measures the whole
// process: do not run it beside parallel tests.
func PeakHeapGrowth(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	return peak - base
}
