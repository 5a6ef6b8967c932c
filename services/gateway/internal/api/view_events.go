package api

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/httpx"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
)

// Publisher publishes events (pkg/events.Bus).
type Publisher interface {
	PublishBatch(ctx context.Context, msgs []events.Message) (int, error)
}

// ViewOptions say where views go and how many one client may add.
type ViewOptions struct {
	// Bus receives relais.gateway.<object>.viewed; nil records no view.
	Bus Publisher
	// MaxPerClientPerMinute bounds the views one client (an address and a
	// user agent) adds in a minute; the others are served, not counted.
	// Default 30.
	MaxPerClientPerMinute int
	// ClientIP is the address of a request's client (behind trusted
	// proxies, from X-Forwarded-For); nil: the connection's address.
	ClientIP func(*http.Request) string
}

// Views are published in batches by one worker, so that a response never
// waits on them; a full queue drops the view (logged), never the response.
const (
	viewQueue       = 8192
	viewBatch       = 256
	viewFlush       = 100 * time.Millisecond
	viewTimeout     = 10 * time.Second
	defaultMaxViews = 30
	// maxClients bounds the rate limiter's memory in one minute; past it,
	// new clients are not counted until the next minute.
	maxClients = 200_000
)

// viewRecorder publishes the views the gateway serves. It keeps no
// personal data: a client is a keyed hash of its address and user agent,
// held in memory for the current minute only, under a key that changes
// every day and is never written anywhere.
type viewRecorder struct {
	bus    Publisher
	log    *slog.Logger
	max    int
	client func(*http.Request) string

	mu      sync.Mutex
	closed  bool
	queue   chan events.Message
	done    chan struct{}
	minute  int64
	clients map[uint64]int
	salt    [32]byte
	saltDay int64
}

func newViewRecorder(opts ViewOptions, log *slog.Logger) *viewRecorder {
	if opts.Bus == nil {
		return nil
	}
	v := &viewRecorder{bus: opts.Bus, log: log, max: opts.MaxPerClientPerMinute, client: opts.ClientIP,
		queue: make(chan events.Message, viewQueue), done: make(chan struct{}), clients: map[uint64]int{}}
	if v.max <= 0 {
		v.max = defaultMaxViews
	}
	if v.client == nil {
		v.client = httpx.TrustedProxies(nil).ClientIP
	}
	go v.work()
	return v
}

// viewed records that r read objectType objectID (datasetID: a resource's
// dataset) through channel.
func (v *viewRecorder) viewed(r *http.Request, objectType, objectID, datasetID string, channel eventsv1.ViewChannel) {
	if v == nil || objectID == "" {
		return
	}
	now := time.Now()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed || !v.admit(r, now) {
		return
	}
	id := events.NewID()
	data, err := proto.Marshal(&eventsv1.ObjectViewed{
		EventId: id, OccurredAt: timestamppb.New(now), ObjectId: objectID, DatasetId: datasetID,
		Channel: channel, UserAgentIsBot: isBot(r.UserAgent()),
	})
	if err != nil {
		v.log.ErrorContext(r.Context(), "view not recorded", "err", err)
		return
	}
	select {
	case v.queue <- events.Message{ID: id, Subject: "relais.gateway." + objectType + ".viewed", Type: "relais.events.v1.ObjectViewed", Data: data, Time: now}:
	default:
		v.log.WarnContext(r.Context(), "view not recorded: queue full", "object", objectType, "id", objectID)
	}
}

// admit counts a view of the request's client in the current minute and
// says whether it is within the limit. Called with mu held.
func (v *viewRecorder) admit(r *http.Request, now time.Time) bool {
	if day := now.Unix() / 86400; day != v.saltDay {
		_, _ = rand.Read(v.salt[:])
		v.saltDay = day
	}
	if minute := now.Unix() / 60; minute != v.minute {
		v.minute = minute
		clear(v.clients)
	}
	mac := hmac.New(sha256.New, v.salt[:])
	mac.Write([]byte(v.client(r)))
	mac.Write([]byte{0})
	mac.Write([]byte(r.UserAgent()))
	key := binary.BigEndian.Uint64(mac.Sum(nil))
	n, known := v.clients[key]
	if !known && len(v.clients) >= maxClients {
		return false
	}
	if n >= v.max {
		return false
	}
	v.clients[key] = n + 1
	return true
}

func (v *viewRecorder) work() {
	defer close(v.done)
	batch := make([]events.Message, 0, viewBatch)
	tick := time.NewTicker(viewFlush)
	defer tick.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		// A NATS node that dies fails the views in flight; another takes
		// over within seconds. The rest is published again until
		// viewTimeout: the stream drops the copies of views it had
		// (Nats-Msg-Id), so a view is counted once.
		ctx, cancel := context.WithTimeout(context.Background(), viewTimeout)
		rest := batch
		for wait := 100 * time.Millisecond; ; wait *= 2 {
			n, err := v.bus.PublishBatch(ctx, rest)
			if err == nil {
				break
			}
			rest = rest[n:]
			if ctx.Err() != nil || !sleepCtx(ctx, wait) {
				v.log.Error("views not recorded", "count", len(rest), "err", err)
				break
			}
		}
		cancel()
		batch = batch[:0]
	}
	for {
		select {
		case m, ok := <-v.queue:
			if !ok {
				flush()
				return
			}
			batch = append(batch, m)
			if len(batch) == viewBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// Close stops taking views and publishes the queued ones, or gives up when
// ctx ends.
func (v *viewRecorder) Close(ctx context.Context) error {
	if v == nil {
		return nil
	}
	v.mu.Lock()
	if !v.closed {
		v.closed = true
		close(v.queue)
	}
	v.mu.Unlock()
	select {
	case <-v.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RecordView records that r read objectType objectID (datasetID: a
// resource's dataset) through channel, under the same per-client limit as
// the API's views: the web portal's pages count through it.
func (s *Server) RecordView(r *http.Request, objectType, objectID, datasetID string, channel eventsv1.ViewChannel) {
	s.views.viewed(r, objectType, objectID, datasetID, channel)
}

// sleepCtx waits d, or less when ctx ends first (then it returns false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
