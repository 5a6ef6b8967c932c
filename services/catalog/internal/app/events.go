package app

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// Event verbs, the last part of a subject.
const (
	Created = "created"
	Updated = "updated"
	Deleted = "deleted"
)

// SubjectPrefix starts every subject the catalog publishes.
const SubjectPrefix = "relais.catalog."

func enqueue(ctx context.Context, q store.Q, subject string, msg proto.Message, id string, at time.Time) error {
	data, err := proto.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", subject, err)
	}
	m := events.Message{
		ID:      id,
		Subject: subject,
		Type:    string(proto.MessageName(msg)),
		Data:    data,
		Time:    at,
	}
	if err := events.Enqueue(ctx, q.Tx(), m); err != nil {
		return fmt.Errorf("enqueue %s: %w", subject, err)
	}
	return nil
}

func (s *Service) datasetEvent(ctx context.Context, q store.Q, verb, actor string, d *catalogv1.Dataset, at time.Time) error {
	id := events.NewID()
	return enqueue(ctx, q, SubjectPrefix+"dataset."+verb, &eventsv1.DatasetChanged{
		EventId: id, OccurredAt: timestamppb.New(at), ActorId: actor, Dataset: d,
	}, id, at)
}

func (s *Service) resourceEvent(ctx context.Context, q store.Q, verb, actor, datasetID string, r *catalogv1.Resource, at time.Time) error {
	id := events.NewID()
	return enqueue(ctx, q, SubjectPrefix+"resource."+verb, &eventsv1.ResourceChanged{
		EventId: id, OccurredAt: timestamppb.New(at), ActorId: actor, DatasetId: datasetID, Resource: r,
	}, id, at)
}

func (s *Service) organizationEvent(ctx context.Context, q store.Q, verb, actor string, o *catalogv1.Organization, at time.Time) error {
	id := events.NewID()
	return enqueue(ctx, q, SubjectPrefix+"organization."+verb, &eventsv1.OrganizationChanged{
		EventId: id, OccurredAt: timestamppb.New(at), ActorId: actor, Organization: o,
	}, id, at)
}
