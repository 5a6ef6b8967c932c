package app

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/store"
)

// Subjects and payload types of the storage service's events.
const (
	SubjectObjectStored       = "relais.storage.object.stored"
	SubjectObjectDeleted      = "relais.storage.object.deleted"
	SubjectResourceDownloaded = "relais.storage.resource.downloaded"

	TypeFileStored         = "relais.events.v1.FileStored"
	TypeFileDeleted        = "relais.events.v1.FileDeleted"
	TypeResourceDownloaded = "relais.events.v1.ResourceDownloaded"
)

func fileStoredEvent(f store.File, at time.Time) (events.Message, error) {
	id := events.NewID()
	return message(id, SubjectObjectStored, TypeFileStored, at, &eventsv1.FileStored{
		EventId: id, OccurredAt: timestamppb.New(at),
		Key: f.Key, DatasetId: f.DatasetID, ResourceId: f.ResourceID,
		Sha1: f.SHA1, Sha256: f.SHA256, Size: f.Size, Mime: f.MIME, Format: f.Format,
		UrlPath: domain.URLPath(f.Key), Filename: f.Filename,
	})
}

func fileDeletedEvent(f store.File, at time.Time) (events.Message, error) {
	id := events.NewID()
	return message(id, SubjectObjectDeleted, TypeFileDeleted, at, &eventsv1.FileDeleted{
		EventId: id, OccurredAt: timestamppb.New(at),
		Key: f.Key, DatasetId: f.DatasetID, ResourceId: f.ResourceID,
	})
}

func message(id, subject, typ string, at time.Time, payload proto.Message) (events.Message, error) {
	data, err := proto.Marshal(payload)
	if err != nil {
		return events.Message{}, fmt.Errorf("encode %s: %w", typ, err)
	}
	return events.Message{ID: id, Subject: subject, Type: typ, Data: data, Time: at}, nil
}

// DownloadInput is one download the gateway served or redirected.
type DownloadInput struct {
	ResourceID, DatasetID, Key string
	Bytes                      int64
	IsBot                      bool
	// EventID, when set, makes a retried call publish once.
	EventID string
}

// RecordDownload publishes relais.storage.resource.downloaded straight to
// the bus (no outbox: there is no database change to commit with it, and
// JetStream's acknowledgement makes it durable). It returns the event id.
func (s *Service) RecordDownload(ctx context.Context, in DownloadInput) (string, error) {
	if s.bus == nil {
		return "", fmt.Errorf("record download: no event bus: %w", domain.ErrUnavailable)
	}
	if err := domain.CheckID("resource_id", in.ResourceID, false); err != nil {
		return "", err
	}
	if err := domain.CheckID("dataset_id", in.DatasetID, false); err != nil {
		return "", err
	}
	if err := domain.CheckID("event_id", in.EventID, true); err != nil {
		return "", err
	}
	if len(in.Key) > 1024 {
		return "", domain.Invalid("key is longer than 1024 bytes")
	}
	if in.Bytes < 0 {
		return "", domain.Invalid("bytes %d is negative", in.Bytes)
	}
	id := in.EventID
	if id == "" {
		id = events.NewID()
	}
	at := s.now().UTC()
	msg, err := message(id, SubjectResourceDownloaded, TypeResourceDownloaded, at, &eventsv1.ResourceDownloaded{
		EventId: id, OccurredAt: timestamppb.New(at),
		ResourceId: in.ResourceID, DatasetId: in.DatasetID, Key: in.Key,
		Bytes: in.Bytes, UserAgentIsBot: in.IsBot,
	})
	if err != nil {
		return "", err
	}
	if err := s.bus.Publish(ctx, msg); err != nil {
		return "", fmt.Errorf("record download of %s: %w", in.ResourceID, err)
	}
	return id, nil
}
