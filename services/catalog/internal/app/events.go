package app

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

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

// maxSnapshot bounds an event's encoded size well below NATS's default
// 1 MB message limit (real harvested datasets carry descriptions of
// several MB).
const maxSnapshot = 512 << 10

// keptDescription is how much of a description a cut snapshot keeps.
const keptDescription = 64 << 10

func (s *Service) datasetEvent(ctx context.Context, q store.Q, verb, actor string, d *catalogv1.Dataset, at time.Time) error {
	id := events.NewID()
	ev := &eventsv1.DatasetChanged{EventId: id, OccurredAt: timestamppb.New(at), ActorId: actor, Dataset: d}
	if proto.Size(ev) > maxSnapshot {
		ev.Dataset, ev.SnapshotTruncated = truncateSnapshot(d), true
	}
	return enqueue(ctx, q, SubjectPrefix+"dataset."+verb, ev, id, at)
}

// truncateSnapshot returns a copy of d small enough for an event: long
// descriptions cut (on a UTF-8 boundary), then the resources left out if
// that is not enough.
func truncateSnapshot(d *catalogv1.Dataset) *catalogv1.Dataset {
	c := proto.Clone(d).(*catalogv1.Dataset)
	c.Description = cutUTF8(c.Description, keptDescription)
	for _, r := range c.Resources {
		if r.Description != nil {
			cut := cutUTF8(*r.Description, 1<<10)
			r.Description = &cut
		}
		r.ExtrasJson = nil
	}
	if proto.Size(c) > maxSnapshot {
		c.Resources = nil
	}
	return c
}

func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
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
