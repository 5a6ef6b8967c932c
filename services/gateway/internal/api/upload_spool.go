package api

import (
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// spoolBlock is the unit of memory a spool takes from its budget.
const spoolBlock = 1 << 20

// spoolBudget bounds the memory all spools hold together.
type spoolBudget struct {
	left atomic.Int64
	pool sync.Pool
}

func newSpoolBudget(bytes int64) *spoolBudget {
	b := &spoolBudget{}
	b.left.Store(bytes)
	b.pool.New = func() any { return new([spoolBlock]byte) }
	return b
}

// take returns a block, or nil when the budget is spent.
func (b *spoolBudget) take() *[spoolBlock]byte {
	if b.left.Add(-spoolBlock) < 0 {
		b.left.Add(spoolBlock)
		return nil
	}
	return b.pool.Get().(*[spoolBlock]byte)
}

func (b *spoolBudget) give(blk *[spoolBlock]byte) {
	b.pool.Put(blk)
	b.left.Add(spoolBlock)
}

// spool holds the bytes of a file part until the request says what they
// are: data.gouv.fr's front end sends a chunk's `file` before its
// `partindex`, `totalparts` and `chunksize`, so a part that may be a chunk
// is read whole before it goes anywhere. It is at most the largest chunk
// (64 MiB by default): in memory while the budget allows, then in a
// temporary file unlinked as soon as it is created, so that nothing is
// left behind even if the process dies.
type spool struct {
	budget *spoolBudget
	blocks []*[spoolBlock]byte
	n      int64
	file   *os.File
	fileN  int64
}

// fill reads r until EOF or until more than limit bytes came. It reports
// whether r has more (the part is longer than limit: not a chunk). Errors
// reading r are returned as they are; the spool's own are spoolErrors.
func (s *spool) fill(r io.Reader, limit int64) (more bool, err error) {
	for s.n <= limit {
		if s.file != nil {
			n, err := io.CopyN(&spoolWriter{s.file}, r, limit+1-s.n)
			s.n += n
			s.fileN += n
			if errors.Is(err, io.EOF) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			continue
		}
		// Everything so far is in memory: fill the last block, or take a
		// new one, or go on in a file when the budget is spent.
		if s.n == int64(len(s.blocks))*spoolBlock {
			blk := s.budget.take()
			if blk == nil {
				if s.file, err = tempFile(); err != nil {
					return false, err
				}
				continue
			}
			s.blocks = append(s.blocks, blk)
		}
		blk := s.blocks[len(s.blocks)-1]
		off := s.n - int64(len(s.blocks)-1)*spoolBlock
		end := min(spoolBlock, off+limit+1-s.n)
		n, err := r.Read(blk[off:end])
		s.n += int64(n)
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// spoolError is a failure of the spool itself (its temporary file), not of
// the client's body.
type spoolError struct{ err error }

func (e *spoolError) Error() string { return "spool upload: " + e.err.Error() }
func (e *spoolError) Unwrap() error { return e.err }

// spoolWriter marks the temporary file's write errors as spoolErrors.
type spoolWriter struct{ f *os.File }

func (w *spoolWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = &spoolError{err}
	}
	return n, err
}

func tempFile() (*os.File, error) {
	f, err := os.CreateTemp("", "relais-upload-*")
	if err != nil {
		return nil, &spoolError{err}
	}
	if err := os.Remove(f.Name()); err != nil {
		_ = f.Close()
		return nil, &spoolError{err}
	}
	return f, nil
}

// Len is the number of bytes held.
func (s *spool) Len() int64 { return s.n }

// Reader returns the bytes held, from the first.
func (s *spool) Reader() (io.Reader, error) {
	mem := s.n - s.fileN
	readers := make([]io.Reader, 0, len(s.blocks)+1)
	for _, blk := range s.blocks {
		k := min(mem, spoolBlock)
		if k <= 0 {
			break
		}
		readers = append(readers, &blockReader{b: blk[:k]})
		mem -= k
	}
	if s.file != nil {
		if _, err := s.file.Seek(0, io.SeekStart); err != nil {
			return nil, &spoolError{err}
		}
		readers = append(readers, io.LimitReader(s.file, s.fileN))
	}
	return io.MultiReader(readers...), nil
}

// blockReader reads a block without copying the slice header around.
type blockReader struct{ b []byte }

func (r *blockReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// Close gives the memory back and closes the temporary file.
func (s *spool) Close() {
	for _, blk := range s.blocks {
		s.budget.give(blk)
	}
	s.blocks = nil
	if s.file != nil {
		_ = s.file.Close()
		s.file = nil
	}
}
