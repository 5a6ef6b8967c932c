package storage

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc/metadata"

	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage/internal/app"
	"github.com/relais-data/relais/services/storage/internal/grpcapi"
)

// ServiceTokenHeader is the metadata key carrying the service token.
const ServiceTokenHeader = grpcapi.ServiceTokenHeader

// SendChunkSize is the size of the data messages the helpers below send.
const SendChunkSize = 256 << 10

// WithServiceToken returns ctx whose outgoing metadata carries token.
func WithServiceToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, ServiceTokenHeader, token)
}

// Upload sends r as one file with Upload: the header, then r's bytes in
// SendChunkSize messages. If reading r fails, the call is cancelled and
// nothing is stored. Errors of the call are returned as they are (gRPC
// status errors, for status.FromError); a read error is wrapped.
func Upload(ctx context.Context, c storagev1.StorageServiceClient, h *storagev1.UploadHeader, r io.Reader) (*storagev1.StoredFile, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.Upload(ctx)
	if err != nil {
		return nil, err
	}
	if err := stream.Send(&storagev1.UploadRequest{Msg: &storagev1.UploadRequest_Header{Header: h}}); err != nil {
		return nil, streamError(stream.CloseAndRecv, err)
	}
	if err := sendAll(r, func(b []byte) error {
		return stream.Send(&storagev1.UploadRequest{Msg: &storagev1.UploadRequest_Data{Data: b}})
	}); err != nil {
		return nil, streamError(stream.CloseAndRecv, err)
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return nil, err
	}
	return resp.GetFile(), nil
}

// PutChunk sends r as one part with PutChunk; errors as Upload's.
func PutChunk(ctx context.Context, c storagev1.StorageServiceClient, h *storagev1.ChunkHeader, r io.Reader) (*storagev1.PutChunkResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.PutChunk(ctx)
	if err != nil {
		return nil, err
	}
	if err := stream.Send(&storagev1.PutChunkRequest{Msg: &storagev1.PutChunkRequest_Header{Header: h}}); err != nil {
		return nil, streamError(stream.CloseAndRecv, err)
	}
	if err := sendAll(r, func(b []byte) error {
		return stream.Send(&storagev1.PutChunkRequest{Msg: &storagev1.PutChunkRequest_Data{Data: b}})
	}); err != nil {
		return nil, streamError(stream.CloseAndRecv, err)
	}
	return stream.CloseAndRecv()
}

// errRead marks a failure to read the caller's reader (as opposed to the
// stream ending because the server answered early).
type errRead struct{ err error }

func (e errRead) Error() string { return e.err.Error() }
func (e errRead) Unwrap() error { return e.err }

// sendAll sends r's bytes in SendChunkSize messages. Each message gets its
// own buffer: Send may hold it until written.
func sendAll(r io.Reader, send func([]byte) error) error {
	for {
		buf := make([]byte, SendChunkSize)
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if serr := send(buf[:n]); serr != nil {
				return serr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return errRead{err}
		}
	}
}

// streamError: a read error cancels the call (the caller's deferred
// cancel); a send error means the server ended the call, whose status
// CloseAndRecv tells.
func streamError[T any](closeAndRecv func() (T, error), err error) error {
	var re errRead
	if errors.As(err, &re) {
		return fmt.Errorf("read upload: %w", re.err)
	}
	if _, serr := closeAndRecv(); serr != nil {
		return serr
	}
	return err
}

// Download is a file being downloaded: its header and its bytes.
type Download struct {
	Header *storagev1.DownloadHeader
	stream storagev1.StorageService_DownloadClient
	cancel context.CancelFunc
	buf    []byte
	got    int64
	err    error
}

// OpenDownload starts a Download and reads its header. Read the bytes from
// the returned Download and Close it. Errors of the call are returned as
// they are (gRPC status errors).
func OpenDownload(ctx context.Context, c storagev1.StorageServiceClient, req *storagev1.DownloadRequest) (*Download, error) {
	ctx, cancel := context.WithCancel(ctx)
	stream, err := c.Download(ctx, req)
	if err != nil {
		cancel()
		return nil, err
	}
	first, err := stream.Recv()
	if err != nil {
		cancel()
		return nil, err
	}
	if first.GetHeader() == nil {
		cancel()
		return nil, fmt.Errorf("download %s: first message is not the header", req.GetKey())
	}
	return &Download{Header: first.GetHeader(), stream: stream, cancel: cancel}, nil
}

// Read reads the file's bytes; a stream that ends early fails with
// io.ErrUnexpectedEOF rather than io.EOF.
func (d *Download) Read(p []byte) (int, error) {
	for len(d.buf) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		m, err := d.stream.Recv()
		if errors.Is(err, io.EOF) {
			d.err = io.EOF
			if d.got != d.Header.GetLength() {
				d.err = fmt.Errorf("download: %d bytes of %d: %w", d.got, d.Header.GetLength(), io.ErrUnexpectedEOF)
			}
			continue
		}
		if err != nil {
			d.err = fmt.Errorf("download: %w", err)
			continue
		}
		d.buf = m.GetData()
		d.got += int64(len(d.buf))
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
}

// Close ends the download.
func (d *Download) Close() error {
	d.cancel()
	return nil
}

// ContentDisposition is the attachment header naming a download (RFC 2231
// encoding for non-ASCII names), as PresignDownload sets it: the gateway
// uses it when it streams a file itself.
func ContentDisposition(filename string) string { return app.ContentDisposition(filename) }
