package preview

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/preview/internal/pipeline"
)

// The events the preview service consumes, and its durable consumers.
const (
	SubjectObjectStored      = "relais.storage.object.stored"
	SubjectResourceCreated   = "relais.catalog.resource.created"
	SubjectResourceUpdated   = "relais.catalog.resource.updated"
	SubjectResourceDeleted   = "relais.catalog.resource.deleted"
	StoredFilesConsumer      = "preview-stored-files"
	ResourceChangesConsumer  = "preview-resource-changes"
	storedFilesPathPrefix    = "/resources/"
	signatureSchemaSeparator = "|schema:"
)

// consumerConfig is the config of the durable consumer of subjects. An
// analysis in progress extends its event's delivery (Heartbeat) every
// third of AckWait. An event whose handling failed (an analysis failing for a transient reason,
// the database unreachable) comes back after RetryDelay, doubling up to
// MaxRetryDelay; the pipeline bounds the analyses of the same bytes.
func (s *Service) consumerConfig(durable string, subjects ...string) events.ConsumerConfig {
	return events.ConsumerConfig{
		Durable: durable, FilterSubjects: subjects, AckWait: s.cfg.AckWait, Heartbeat: s.cfg.AckWait / 3,
		RetryDelay: s.cfg.RetryDelay, MaxRetryDelay: s.cfg.MaxRetryDelay,
	}
}

func (s *Service) consumeStoredFiles(ctx, run context.Context) (*events.Consumer, error) {
	return s.bus.Consume(ctx, s.consumerConfig(StoredFilesConsumer, SubjectObjectStored), s.once(run, s.handleStoredFile))
}

func (s *Service) consumeResourceChanges(ctx, run context.Context) (*events.Consumer, error) {
	return s.bus.Consume(ctx, s.consumerConfig(ResourceChangesConsumer,
		SubjectResourceCreated, SubjectResourceUpdated, SubjectResourceDeleted), s.once(run, s.handleResourceChanged))
}

// once skips the events handled already (a replay) and records the ones
// handled now. A handler still running when run ends is cancelled (its
// event is redelivered later).
func (s *Service) once(run context.Context, h events.Handler) events.Handler {
	return func(ctx context.Context, m events.Message) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(run, cancel)()
		done, err := s.records.Handled(ctx, m.ID)
		if err != nil || done {
			return err
		}
		if err := h(ctx, m); err != nil {
			return fmt.Errorf("event %s: %w", m.ID, err)
		}
		return s.records.MarkHandled(ctx, m.ID, time.Now())
	}
}

// handleStoredFile analyzes an uploaded file as soon as it is stored,
// before its resource may exist in the catalog: the table is queryable at
// once, the extras follow when the resource does.
func (s *Service) handleStoredFile(ctx context.Context, m events.Message) error {
	ev := &eventsv1.FileStored{}
	if err := proto.Unmarshal(m.Data, ev); err != nil {
		s.log.ErrorContext(ctx, "undecodable stored file event dropped", "event_id", m.ID, "type", m.Type, "err", err)
		return nil
	}
	if ev.GetResourceId() == "" {
		return nil // a file no resource will point to
	}
	if deleted, err := s.records.DatasetDeleted(ctx, ev.GetDatasetId()); err != nil || deleted {
		return err
	}
	_, err := s.pipeline.Process(ctx, pipeline.Job{
		ResourceID: ev.GetResourceId(), DatasetID: ev.GetDatasetId(), Key: ev.GetKey(),
		ResourceURL: strings.TrimRight(s.cfg.PublicURL, "/") + ev.GetUrlPath(),
		Signature:   fileSignature(ev.GetSha1(), ev.GetKey()), Name: ev.GetFilename(),
	})
	return err
}

func (s *Service) handleResourceChanged(ctx context.Context, m events.Message) error {
	ev := &eventsv1.ResourceChanged{}
	if err := proto.Unmarshal(m.Data, ev); err != nil {
		s.log.ErrorContext(ctx, "undecodable resource event dropped", "event_id", m.ID, "type", m.Type, "err", err)
		return nil
	}
	r := ev.GetResource()
	if r.GetId() == "" {
		return nil
	}
	if m.Subject == SubjectResourceDeleted {
		return s.pipeline.Forget(ctx, r.GetId())
	}
	if deleted, err := s.records.DatasetDeleted(ctx, ev.GetDatasetId()); err != nil || deleted {
		return err
	}
	job, ok := jobOf(s.cfg.PublicURL, ev.GetDatasetId(), r)
	if !ok {
		return nil
	}
	_, err := s.pipeline.Process(ctx, job)
	return err
}

// jobOf is the analysis a resource asks for: its stored file (its URL's
// path under /resources/ is "/" + its storage key) or its remote URL. A "remote"
// resource whose URL is one of this portal's stored files (a file
// uploaded onto a remote resource) is read from storage too: fetching the
// portal's own address is the SSRF guard's business to refuse. The
// signature changes with the bytes (sha1, URL) and with the schema.
func jobOf(publicURL, datasetID string, r *catalogv1.Resource) (pipeline.Job, bool) {
	job := pipeline.Job{ResourceID: r.GetId(), DatasetID: datasetID, Name: r.GetTitle(), ResourceURL: r.GetUrl()}
	key, stored := storedKey(publicURL, r.GetUrl())
	switch {
	case r.GetFiletype() == "file" || (r.GetFiletype() == "remote" && stored):
		if key == "" {
			return job, false
		}
		job.Key, job.Name = key, key
		sha1 := ""
		if c := r.GetChecksum(); c.GetType() == "sha1" {
			sha1 = c.GetValue()
		}
		job.Signature = fileSignature(sha1, job.Key)
	case r.GetFiletype() == "remote" && r.GetUrl() != "":
		job.URL, job.Signature = r.GetUrl(), "url:"+r.GetUrl()
	default:
		return job, false
	}
	if sc := r.GetSchema(); sc.GetName() != "" || sc.GetUrl() != "" {
		job.SchemaName, job.SchemaVersion, job.SchemaURL = sc.GetName(), sc.GetVersion(), sc.GetUrl()
		job.Signature += signatureSchemaSeparator + sc.GetName() + "@" + sc.GetVersion() + "@" + sc.GetUrl()
	}
	return job, true
}

// storedKey returns the storage key of a stored file's URL ("/" + key,
// the key starting with resources/). stored says whether the URL is on this portal
// (publicURL); a file resource's URL is taken as stored whatever its host.
func storedKey(publicURL, raw string) (key string, stored bool) {
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Path, storedFilesPathPrefix) {
		return "", false
	}
	key = strings.TrimPrefix(u.Path, "/") // a stored file's URL path is "/" + its key
	base, err := url.Parse(publicURL)
	stored = err == nil && publicURL != "" && strings.EqualFold(u.Host, base.Host) && u.Scheme == base.Scheme
	return key, stored
}

// fileSignature identifies a stored file's bytes: its sha1, else its key.
func fileSignature(sha1, key string) string {
	if sha1 != "" {
		return "sha1:" + sha1
	}
	return "key:" + key
}

// reanalyze reads the resource from the catalog and analyzes it again.
func (s *Service) reanalyze(ctx context.Context, rid string) error {
	if s.catalog == nil {
		return status.Error(codes.FailedPrecondition, "no catalog to read the resource from")
	}
	resp, err := s.catalog.GetResource(grpcx.WithAPIKey(ctx, s.cfg.CatalogAPIKey), &catalogv1.GetResourceRequest{ResourceId: rid})
	if err != nil {
		return err
	}
	job, ok := jobOf(s.cfg.PublicURL, resp.GetDatasetId(), resp.GetResource())
	if !ok {
		return status.Errorf(codes.FailedPrecondition, "resource %s has no file or URL to analyze", rid)
	}
	job.Force = true
	_, err = s.pipeline.Process(ctx, job)
	var retry *pipeline.RetryError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return status.FromContextError(err).Err()
	case errors.As(err, &retry):
		// The next event naming the resource tries again.
		return status.Error(codes.Unavailable, retry.Err.Error())
	}
	return err
}
