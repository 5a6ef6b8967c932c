package analysis

import (
	"io"
	"sync"
)

const (
	readAheadChunk = 256 << 10
	readAheadDepth = 4
)

// readAhead reads r in its own goroutine, a few chunks ahead of the
// consumer: decompressing a gzip or zip member then runs on one core while
// the CSV is parsed on the other (inflate is a third of the work on the
// catalogue export).
type readAhead struct {
	chunks chan chunk
	free   chan []byte
	done   chan struct{}
	cur    chunk
	once   sync.Once
	wg     sync.WaitGroup
}

type chunk struct {
	buf []byte // nil with err
	n   int
	off int
	err error
}

func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{
		chunks: make(chan chunk, readAheadDepth),
		free:   make(chan []byte, readAheadDepth+1),
		done:   make(chan struct{}),
	}
	for range readAheadDepth + 1 {
		ra.free <- make([]byte, readAheadChunk)
	}
	ra.wg.Add(1)
	go func() {
		defer ra.wg.Done()
		for {
			var buf []byte
			select {
			case buf = <-ra.free:
			case <-ra.done:
				return
			}
			n, err := io.ReadAtLeast(r, buf, 1)
			if err == io.ErrUnexpectedEOF {
				err = nil
			}
			select {
			case ra.chunks <- chunk{buf: buf, n: n}:
			case <-ra.done:
				return
			}
			if err != nil {
				select {
				case ra.chunks <- chunk{err: err}:
				case <-ra.done:
				}
				return
			}
		}
	}()
	return ra
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for ra.cur.off == ra.cur.n {
		if ra.cur.err != nil {
			return 0, ra.cur.err
		}
		if ra.cur.buf != nil {
			ra.free <- ra.cur.buf
		}
		ra.cur = <-ra.chunks
		ra.cur.off = 0
	}
	n := copy(p, ra.cur.buf[ra.cur.off:ra.cur.n])
	ra.cur.off += n
	return n, nil
}

// Close stops the goroutine and waits for it, so that the reader under it
// may be closed.
func (ra *readAhead) Close() error {
	ra.once.Do(func() { close(ra.done) })
	ra.wg.Wait()
	return nil
}
