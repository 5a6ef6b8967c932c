package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// putReader wraps the reader given to Put: it stops at the first read after
// ctx is done, and, when the size is known, fails with ErrSizeMismatch on a
// short stream or on a byte past size. The excess byte is looked for in the
// read that reaches size, and that read then returns the error without its
// bytes: the backend never receives size bytes, so it never commits an
// object from an over-long stream.
type putReader struct {
	ctx  context.Context
	r    io.Reader
	size int64 // -1: unknown
	n    int64 // bytes returned so far
	eof  bool
	err  error // sticky: the first failure, reported by Put as its cause
}

func newPutReader(ctx context.Context, r io.Reader, size int64) *putReader {
	return &putReader{ctx: ctx, r: r, size: size}
}

func (p *putReader) Read(b []byte) (int, error) {
	switch {
	case p.err != nil:
		return 0, p.err
	case p.eof:
		return 0, io.EOF
	}
	if err := p.ctx.Err(); err != nil {
		return 0, p.fail(err)
	}
	if p.size >= 0 {
		rem := p.size - p.n
		if rem == 0 {
			return 0, p.atEnd()
		}
		if int64(len(b)) > rem {
			b = b[:rem]
		}
	}
	n, err := p.r.Read(b)
	p.n += int64(n)
	switch {
	case err == io.EOF && p.size >= 0 && p.n < p.size:
		return n, p.fail(fmt.Errorf("%w: the stream ended after %d of %d bytes", ErrSizeMismatch, p.n, p.size))
	case err == io.EOF:
		p.eof = true
		return n, io.EOF
	case err != nil:
		return n, p.fail(err)
	case p.size >= 0 && p.n == p.size:
		// Withhold the last bytes when the stream goes on: a reader that
		// fills its buffer (minio-go's readFull) ignores an error that
		// comes with the bytes that fill it.
		if err := p.atEnd(); !errors.Is(err, io.EOF) {
			return 0, err
		}
	}
	return n, nil
}

// atEnd checks that the stream holds nothing past size.
func (p *putReader) atEnd() error {
	var one [1]byte
	k, err := io.ReadFull(p.r, one[:])
	switch {
	case k > 0:
		return p.fail(fmt.Errorf("%w: the stream is longer than %d bytes", ErrSizeMismatch, p.size))
	case errors.Is(err, io.EOF):
		p.eof = true
		return io.EOF
	default:
		return p.fail(err)
	}
}

func (p *putReader) fail(err error) error {
	p.err = err
	return err
}

// cause returns the reason a backend's upload failed with err: this reader's
// own failure or the context's when there is one, since the backend may
// have wrapped it beyond recognition (an HTTP transport error, say).
func (p *putReader) cause(err error) error {
	if p.err != nil {
		return p.err
	}
	if ctxErr := p.ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return err
}
