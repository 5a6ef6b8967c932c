package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/relais-data/relais/pkg/events"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
)

// Download records are sent by a few workers from a queue, so that a
// download never waits on them. A record that cannot be sent is logged,
// never dropped silently.
const (
	downloadQueue    = 4096
	downloadWorkers  = 2
	downloadAttempts = 3
	downloadTimeout  = 10 * time.Second
)

// downloadRecorder sends storage's RecordDownload for each download served.
type downloadRecorder struct {
	client storagev1.StorageServiceClient
	token  string
	log    *slog.Logger

	mu     sync.RWMutex
	closed bool
	queue  chan *storagev1.RecordDownloadRequest
	wg     sync.WaitGroup
}

func newDownloadRecorder(client storagev1.StorageServiceClient, token string, log *slog.Logger) *downloadRecorder {
	d := &downloadRecorder{client: client, token: token, log: log, queue: make(chan *storagev1.RecordDownloadRequest, downloadQueue)}
	for range downloadWorkers {
		d.wg.Add(1)
		go d.work()
	}
	return d
}

// record queues the record of a download of file (sent bytes).
func (d *downloadRecorder) record(r *http.Request, file *storagev1.StoredFile, sent int64) {
	if d == nil {
		return
	}
	req := &storagev1.RecordDownloadRequest{
		ResourceId: file.GetResourceId(), DatasetId: file.GetDatasetId(), Key: file.GetKey(),
		Bytes: sent, UserAgentIsBot: isBot(r.UserAgent()),
		// One id for every attempt: a retry after a timeout publishes once.
		EventId: events.NewID(),
	}
	if req.ResourceId == "" {
		d.log.WarnContext(r.Context(), "download not recorded: the stored file names no resource", "key", file.GetKey())
		return
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		d.log.ErrorContext(r.Context(), "download not recorded: the gateway is stopping", "key", file.GetKey())
		return
	}
	select {
	case d.queue <- req:
	default:
		d.log.ErrorContext(r.Context(), "download not recorded: queue full", "key", file.GetKey(), "resource_id", req.ResourceId)
	}
}

func (d *downloadRecorder) work() {
	defer d.wg.Done()
	for req := range d.queue {
		if err := d.send(req); err != nil {
			d.log.Error("download not recorded", "resource_id", req.GetResourceId(), "key", req.GetKey(), "event_id", req.GetEventId(), "err", err)
		}
	}
}

// send calls RecordDownload, retrying a failed call with the same event id.
func (d *downloadRecorder) send(req *storagev1.RecordDownloadRequest) error {
	var err error
	for attempt := range downloadAttempts {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 500 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), downloadTimeout)
		_, err = d.client.RecordDownload(serviceContext(ctx, d.token), req)
		cancel()
		if err == nil {
			return nil
		}
	}
	return fmt.Errorf("record download after %d attempts: %w", downloadAttempts, err)
}

// Close stops taking records and waits until the queued ones are sent, or
// ctx ends.
func (d *downloadRecorder) Close(ctx context.Context) error {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		close(d.queue)
	}
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		left := len(d.queue)
		d.log.Error("downloads not recorded: stopped before they were sent", "count", left)
		return fmt.Errorf("download records: %d left unsent: %w", left, ctx.Err())
	}
}

// botMarkers are user-agent fragments of crawlers, link previewers and
// monitoring robots (lowercase).
var botMarkers = []string{"bot", "crawl", "spider", "slurp", "facebookexternalhit", "preview", "headless", "pingdom", "uptime"}

// isBot reports whether a User-Agent looks like a robot's.
func isBot(ua string) bool {
	ua = strings.ToLower(ua)
	for _, m := range botMarkers {
		if strings.Contains(ua, m) {
			return true
		}
	}
	return false
}
