package storage

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/storage/internal/app"
)

// Catalog events the storage service consumes.
const (
	// SubjectResourceDeleted is published by the catalog when a resource's
	// deletion commits.
	SubjectResourceDeleted = "relais.catalog.resource.deleted"
	// ResourceDeletionsConsumer is the durable consumer of
	// SubjectResourceDeleted.
	ResourceDeletionsConsumer = "storage-resource-deletions"
)

// consumeResourceDeletions starts the durable consumer that deletes the
// object of each deleted file resource.
func (s *Service) consumeResourceDeletions(ctx context.Context) (*events.Consumer, error) {
	return s.bus.Consume(ctx, events.ConsumerConfig{
		Durable:        ResourceDeletionsConsumer,
		FilterSubjects: []string{SubjectResourceDeleted},
	}, s.handleResourceDeleted)
}

func (s *Service) handleResourceDeleted(ctx context.Context, m events.Message) error {
	ev := &eventsv1.ResourceChanged{}
	if err := proto.Unmarshal(m.Data, ev); err != nil {
		s.log.ErrorContext(ctx, "undecodable resource event dropped", "event_id", m.ID, "type", m.Type, "err", err)
		return nil
	}
	r := ev.GetResource()
	key, err := s.app.DeleteResourceObject(ctx, app.DeletedResource{
		DatasetID: ev.GetDatasetId(), ResourceID: r.GetId(), Filetype: r.GetFiletype(), URL: r.GetUrl(),
	})
	if err != nil {
		return fmt.Errorf("event %s: %w", m.ID, err)
	}
	if key != "" {
		s.log.InfoContext(ctx, "object of deleted resource deleted", "key", key, "resource_id", r.GetId(), "dataset_id", ev.GetDatasetId())
	}
	return nil
}
