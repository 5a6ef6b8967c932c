package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/pkg/safehttp"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
)

// serviceTokenHeader is the storage service's token metadata key.
const serviceTokenHeader = "x-service-token"

// failure is a reason the file of a job cannot be analyzed: it is written
// on the resource, and retried only when transient (see retry.go).
type failure struct {
	reason string
	// check is the check of a remote resource that failed (check:* keys).
	check map[string]any
	// transient says the same bytes may be read later (a timeout, a
	// server error, a network failure).
	transient bool
}

func (f *failure) Error() string { return f.reason }

// obtain puts the job's bytes in a temporary file; the caller removes it.
// A remote resource's check (check:* keys) is returned with it.
func (p *Pipeline) obtain(ctx context.Context, job Job) (path string, check map[string]any, err error) {
	if job.Key != "" {
		path, err := p.download(ctx, job.Key)
		return path, map[string]any{}, err
	}
	res, err := p.opts.Fetcher.Fetch(ctx, job.URL, p.opts.TempDir)
	checkedAt := p.now().Format("2006-01-02T15:04:05.000000")
	if err != nil {
		if ctx.Err() != nil {
			return "", nil, ctx.Err()
		}
		check := map[string]any{KeyCheckAvailable: false, KeyCheckDate: checkedAt, KeyCheckTimeout: errors.Is(err, safehttp.ErrTimeout)}
		var se *safehttp.StatusError
		if errors.As(err, &se) {
			check[KeyCheckStatus] = se.Status
		}
		return "", nil, &failure{reason: err.Error(), check: check, transient: fetchTransient(err)}
	}
	check = map[string]any{
		KeyCheckAvailable: true, KeyCheckDate: checkedAt, KeyCheckStatus: res.Status, KeyCheckTimeout: false,
	}
	if res.ContentType != "" {
		check[KeyCheckContentType] = res.ContentType
	}
	// As hydra: the remote file's modification date, from its
	// Last-Modified header (the gateway serves it as the resource's
	// last_modified).
	if t, err := http.ParseTime(res.LastModified); err == nil {
		check[KeyLastModifiedAt] = t.UTC().Format("2006-01-02T15:04:05-07:00")
		check[KeyLastModifiedHow] = "last-modified-header"
	}
	return res.Path, check, nil
}

// download copies a stored file into a temporary file.
func (p *Pipeline) download(ctx context.Context, key string) (string, error) {
	if p.opts.Storage == nil {
		return "", errors.New("no storage service to read uploaded files from")
	}
	ctx, cancel := context.WithCancel(metadata.AppendToOutgoingContext(ctx, serviceTokenHeader, p.opts.StorageToken))
	defer cancel()
	stream, err := p.openDownload(ctx, key)
	if status.Code(err) == codes.NotFound {
		return "", &failure{reason: fmt.Sprintf("the stored file %s is missing", key)}
	}
	if err != nil {
		return "", fmt.Errorf("download %s: %w", key, err)
	}
	f, err := os.CreateTemp(p.opts.TempDir, "relais-preview-*")
	if err != nil {
		return "", err
	}
	max := p.opts.Fetcher.MaxBytes()
	n, err := io.Copy(f, io.LimitReader(&downloadReader{stream: stream}, max+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > max {
		err = &failure{reason: fmt.Sprintf("the file is larger than the %d bytes the preview reads", max)}
	}
	if err != nil {
		os.Remove(f.Name())
		var fail *failure
		if errors.As(err, &fail) {
			return "", err
		}
		return "", fmt.Errorf("download %s: %w", key, err)
	}
	return f.Name(), nil
}

// openDownload starts a Download and reads its header.
func (p *Pipeline) openDownload(ctx context.Context, key string) (storagev1.StorageService_DownloadClient, error) {
	stream, err := p.opts.Storage.Download(ctx, &storagev1.DownloadRequest{Key: key})
	if err != nil {
		return nil, err
	}
	first, err := stream.Recv()
	if err != nil {
		return nil, err
	}
	if first.GetHeader() == nil {
		return nil, fmt.Errorf("download %s: first message is not the header", key)
	}
	return stream, nil
}

// downloadReader reads the data messages of a Download stream.
type downloadReader struct {
	stream storagev1.StorageService_DownloadClient
	buf    []byte
}

func (r *downloadReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		m, err := r.stream.Recv()
		if err != nil {
			return 0, err // io.EOF at the end
		}
		r.buf = m.GetData()
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
