package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

// downloadBuffers are the copy buffers of downloads.
var downloadBuffers = sync.Pool{New: func() any { return new([256 << 10]byte) }}

// download is GET and HEAD /resources/{dataset-slug}/{YYYYMMDD-HHMMSS}/{name}:
// a stored file, where its resource's url points (data.gouv.fr serves them
// from static.data.gouv.fr). On the s3 backend it redirects to a
// short-lived presigned URL unless downloads are proxied; otherwise the
// gateway streams the file, with Range, ETag and If-None-Match.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	if !s.files.available(w) {
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	ctx := s.files.ctx(r.Context())
	st, err := s.files.client.Stat(ctx, &storagev1.StatRequest{Key: key})
	if err != nil {
		if c := status.Code(err); c == codes.NotFound || c == codes.InvalidArgument {
			s.notFound(w, r, msgNotFound)
			return
		}
		s.failStorage(w, r, err)
		return
	}
	file := st.GetFile()
	if s.files.redirectS3 && !s.files.noPresign.Load() {
		resp, err := s.files.client.PresignDownload(ctx, &storagev1.PresignDownloadRequest{Key: key, Ttl: durationpb.New(presignTTL)})
		switch status.Code(err) {
		case codes.OK:
			w.Header().Set("Location", resp.GetUrl())
			w.Header().Set("Cache-Control", "no-store") // the URL expires
			w.WriteHeader(http.StatusFound)
			if r.Method == http.MethodGet {
				s.files.downloads.record(r, file, file.GetSize())
			}
			return
		case codes.FailedPrecondition: // the fs backend: stream it
			s.files.noPresign.Store(true)
		default:
			s.failStorage(w, r, err)
			return
		}
	}
	s.serveFile(ctx, w, r, file)
}

// serveFile streams a stored file, or the range asked.
func (s *Server) serveFile(ctx context.Context, w http.ResponseWriter, r *http.Request, file *storagev1.StoredFile) {
	etag := `"` + file.GetSha256() + `"`
	modified := file.GetCreatedAt().AsTime()
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	if notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	size := file.GetSize()
	var rng *byteRange
	if rangeApplies(r, etag, modified) {
		var err error
		if rng, err = parseRange(r.Header.Get("Range"), size); err != nil {
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			writeMessage(w, http.StatusRequestedRangeNotSatisfiable, "Requested Range Not Satisfiable")
			return
		}
	}
	code, offset, length := http.StatusOK, int64(0), size
	req := &storagev1.DownloadRequest{Key: file.GetKey()}
	if rng != nil {
		code, offset, length = http.StatusPartialContent, rng.start, rng.length
		req.Offset, req.Length = &offset, &length
	}

	var body io.Reader = strings.NewReader("")
	if r.Method != http.MethodHead && length > 0 {
		d, err := storage.OpenDownload(ctx, s.files.client, req)
		if err != nil {
			s.failStorage(w, r, err)
			return
		}
		defer d.Close()
		body = d
	}
	name := file.GetOriginalFilename()
	if name == "" {
		name = file.GetFilename()
	}
	mimeType := file.GetMime()
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	h.Set("Content-Type", mimeType)
	h.Set("Content-Disposition", storage.ContentDisposition(name))
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	// Uploaded content is served from the portal's origin: never sniffed,
	// never run as a page.
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	if rng != nil {
		h.Set("Content-Range", "bytes "+strconv.FormatInt(offset, 10)+"-"+strconv.FormatInt(offset+length-1, 10)+"/"+strconv.FormatInt(size, 10))
	}
	w.WriteHeader(code)
	if r.Method == http.MethodHead {
		return
	}
	buf := downloadBuffers.Get().(*[256 << 10]byte)
	n, err := io.CopyBuffer(writerOnly{w}, body, buf[:])
	downloadBuffers.Put(buf)
	s.files.downloads.record(r, file, n)
	if err != nil && !errors.Is(err, context.Canceled) {
		// The status is sent: the short body (and the connection closed
		// on it) tells the client.
		s.log.InfoContext(r.Context(), "download interrupted", "key", file.GetKey(), "sent", n, "of", length, "err", err)
	}
}

// writerOnly hides the ResponseWriter's ReadFrom, so that the copy uses
// the large pooled buffer.
type writerOnly struct{ io.Writer }
