package catalog

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
)

// Storage events the catalog consumes.
const (
	// SubjectObjectStored is published by the storage service when a file
	// is durably stored.
	SubjectObjectStored = "relais.storage.object.stored"
	// StoredObjectsConsumer is the durable consumer of SubjectObjectStored.
	StoredObjectsConsumer = "catalog-storage-objects"
)

// consumeStoredObjects starts the durable consumer that brings resources
// in line with the files stored for them (filesize, checksum, mime,
// last_modified), in case the gateway failed to after storing.
func (s *Service) consumeStoredObjects(ctx context.Context) (*events.Consumer, error) {
	return s.bus.Consume(ctx, events.ConsumerConfig{
		Durable:        StoredObjectsConsumer,
		FilterSubjects: []string{SubjectObjectStored},
	}, s.handleStoredObject)
}

func (s *Service) handleStoredObject(ctx context.Context, m events.Message) error {
	ev := &eventsv1.FileStored{}
	if err := proto.Unmarshal(m.Data, ev); err != nil {
		// A malformed event will never decode: log and ack it.
		s.log.ErrorContext(ctx, "undecodable stored object event dropped", "event_id", m.ID, "type", m.Type, "err", err)
		return nil
	}
	if _, err := s.app.ApplyStoredObject(ctx, ev); err != nil {
		return fmt.Errorf("event %s: %w", m.ID, err)
	}
	return nil
}
