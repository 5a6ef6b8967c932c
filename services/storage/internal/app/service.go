package app

import (
	"errors"
	"log/slog"
	"time"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/store"
)

// Options are what the service runs on and its limits.
type Options struct {
	Blob  blob.Store
	Store *store.Store
	// Bus publishes download events; nil refuses RecordDownload with
	// ErrUnavailable. Stored and deleted events go through the outbox.
	Bus *events.Bus
	// Notify wakes the outbox relay after a commit; may be nil.
	Notify     func()
	Extensions *domain.Extensions
	// MaxFileSize bounds a file, MaxChunkSize a part of a chunked upload.
	MaxFileSize  int64
	MaxChunkSize int64
	// PartRetention is how long the parts of an unfinished chunked upload
	// are kept after its last part.
	PartRetention time.Duration
	// Quota returns an organization's quota in bytes; 0 means none. nil
	// means no quota at all.
	Quota func(organizationID string) int64
	Log   *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Service is the storage application layer.
type Service struct {
	blob      blob.Store
	store     *store.Store
	bus       *events.Bus
	notify    func()
	ext       *domain.Extensions
	maxFile   int64
	maxChunk  int64
	retention time.Duration
	quota     func(string) int64
	log       *slog.Logger
	now       func() time.Time
}

// New returns the service.
func New(o Options) (*Service, error) {
	if o.Blob == nil || o.Store == nil || o.Extensions == nil {
		return nil, errors.New("storage app: blob store, store and extensions are required")
	}
	if o.MaxFileSize <= 0 || o.MaxChunkSize <= 0 || o.PartRetention <= 0 {
		return nil, errors.New("storage app: max file size, max chunk size and part retention must be positive")
	}
	s := &Service{
		blob: o.Blob, store: o.Store, bus: o.Bus, notify: o.Notify, ext: o.Extensions,
		maxFile: o.MaxFileSize, maxChunk: o.MaxChunkSize, retention: o.PartRetention,
		quota: o.Quota, log: o.Log, now: o.Now,
	}
	if s.quota == nil {
		s.quota = func(string) int64 { return 0 }
	}
	if s.notify == nil {
		s.notify = func() {}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// AllowedExtensions lists the extensions uploads may have.
func (s *Service) AllowedExtensions() []string { return s.ext.List() }
