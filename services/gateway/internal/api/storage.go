package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/metadata"

	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

// S3 download modes (StorageOptions.S3Downloads).
const (
	S3Redirect = "redirect" // 302 to a short-lived presigned URL
	S3Proxy    = "proxy"    // the gateway streams the object itself
)

// StorageOptions connect the API to the storage service: uploads, the
// allowed extensions and the downloads of /resources/….
type StorageOptions struct {
	// Client is the storage service; nil answers 503 on those routes.
	Client storagev1.StorageServiceClient
	// Token is the service token every storage call carries.
	Token string
	// S3Downloads says how files on the s3 backend are served: S3Redirect
	// (default) or S3Proxy. Files on the fs backend are always streamed.
	S3Downloads string
	// MaxChunkSize is the storage service's largest part of a chunked
	// upload: a file part longer than this cannot be a chunk, so it is
	// streamed as a whole file without waiting for the form's other fields.
	MaxChunkSize int64
	// SpoolMemory bounds the memory, across requests, that holds file parts
	// whose kind (chunk or whole file) is not known yet; beyond, they wait
	// in unlinked temporary files.
	SpoolMemory int64
	// Log receives failed download records.
	Log *slog.Logger
}

// Defaults of StorageOptions.
const (
	defaultSpoolMemory = 64 << 20
	presignTTL         = 15 * time.Minute
)

// files is the API's side of the storage service.
type files struct {
	client      storagev1.StorageServiceClient
	token       string
	redirectS3  bool
	maxChunk    int64
	spool       *spoolBudget
	downloads   *downloadRecorder
	noPresign   atomic.Bool // the backend is fs: stream instead of presigning
	extensionsP string      // absolute URL of the extensions list
}

func newFiles(opts StorageOptions, base string) *files {
	f := &files{
		client:      opts.Client,
		token:       opts.Token,
		redirectS3:  opts.S3Downloads != S3Proxy,
		maxChunk:    opts.MaxChunkSize,
		extensionsP: strings.TrimRight(base, "/") + extensionsPath,
	}
	if f.maxChunk <= 0 {
		f.maxChunk = storage.DefaultMaxChunkSize
	}
	mem := opts.SpoolMemory
	if mem <= 0 {
		mem = defaultSpoolMemory
	}
	f.spool = newSpoolBudget(mem)
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if f.client != nil {
		f.downloads = newDownloadRecorder(f.client, f.token, log)
	}
	return f
}

// ctx returns a context for a storage call: ctx's deadline and values,
// but outgoing metadata holding the service token only (the caller's API
// key is the catalog's business, not storage's).
func (f *files) ctx(ctx context.Context) context.Context { return serviceContext(ctx, f.token) }

func serviceContext(ctx context.Context, token string) context.Context {
	return metadata.NewOutgoingContext(ctx, metadata.Pairs(storage.ServiceTokenHeader, token))
}

// available answers 503 when no storage service is configured.
func (f *files) available(w http.ResponseWriter) bool {
	if f.client != nil {
		return true
	}
	writeMessage(w, http.StatusServiceUnavailable, msgUnavailable)
	return false
}

// Close waits for the download records still queued to be sent, until ctx
// ends.
func (s *Server) Close(ctx context.Context) error {
	err := s.views.Close(ctx)
	if s.files.downloads == nil {
		return err
	}
	return errors.Join(err, s.files.downloads.Close(ctx))
}
