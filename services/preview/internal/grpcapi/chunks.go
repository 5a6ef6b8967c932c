package grpcapi

// chunkSize is the size of the data messages of the streaming RPCs.
const chunkSize = 64 << 10

// chunkWriter gathers writes into chunkSize messages.
type chunkWriter struct {
	send func([]byte) error
	buf  []byte
}

func newChunkWriter(send func([]byte) error) *chunkWriter {
	return &chunkWriter{send: send, buf: make([]byte, 0, chunkSize)}
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), chunkSize-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == chunkSize {
			if err := w.Flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// Flush sends what is buffered. Each message gets its own buffer: Send
// may hold it until written.
func (w *chunkWriter) Flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	err := w.send(w.buf)
	w.buf = make([]byte, 0, chunkSize)
	return err
}
