package grpcapi

import (
	"errors"
	"fmt"
	"io"

	"github.com/relais-data/relais/services/storage/internal/domain"
)

// errHeaderAgain: a header message after the first one.
var errHeaderAgain = domain.Invalid("the header may only be the first message")

// streamReader reads the data messages of a client stream as one byte
// stream: io.EOF when the client closes its side, the stream's error when
// it cancels. It holds one message at a time.
type streamReader struct {
	recv func() ([]byte, error)
	buf  []byte
	err  error
}

func (r *streamReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		b, err := r.recv()
		switch {
		case errors.Is(err, io.EOF):
			r.err = io.EOF
		case err != nil:
			r.err = fmt.Errorf("receive upload stream: %w", err)
		}
		r.buf = b
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
