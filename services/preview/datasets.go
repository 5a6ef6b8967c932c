package preview

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
)

// The dataset events the preview service consumes: a deleted dataset's
// tables go with it (the tabular API then answers 404, as api-tabular for
// an unknown resource), a restored one is analyzed again.
const (
	SubjectDatasetUpdated  = "relais.catalog.dataset.updated"
	SubjectDatasetDeleted  = "relais.catalog.dataset.deleted"
	DatasetChangesConsumer = "preview-dataset-changes"
)

func (s *Service) consumeDatasetChanges(ctx, run context.Context) (*events.Consumer, error) {
	return s.bus.Consume(ctx, s.consumerConfig(DatasetChangesConsumer, SubjectDatasetUpdated, SubjectDatasetDeleted),
		s.once(run, s.handleDatasetChanged))
}

func (s *Service) handleDatasetChanged(ctx context.Context, m events.Message) error {
	ev := &eventsv1.DatasetChanged{}
	if err := proto.Unmarshal(m.Data, ev); err != nil {
		s.log.ErrorContext(ctx, "undecodable dataset event dropped", "event_id", m.ID, "type", m.Type, "err", err)
		return nil
	}
	d := ev.GetDataset()
	if d.GetId() == "" {
		return nil
	}
	if m.Subject == SubjectDatasetDeleted {
		return s.forgetDataset(ctx, d)
	}
	if d.GetDeleted() != nil {
		return nil // a deleted dataset edited by an administrator
	}
	deleted, err := s.records.DatasetDeleted(ctx, d.GetId())
	if err != nil || !deleted {
		return err
	}
	return s.restoreDataset(ctx, d, ev.GetSnapshotTruncated())
}

// forgetDataset drops the tables and data of a deleted dataset's
// resources: those the preview analyzed for it and those of its snapshot.
// The dataset is marked deleted first, so that events still in flight for
// its resources analyze nothing.
func (s *Service) forgetDataset(ctx context.Context, d *catalogv1.Dataset) error {
	if err := s.records.MarkDatasetDeleted(ctx, d.GetId(), time.Now()); err != nil {
		return err
	}
	ids, err := s.records.ResourcesOf(ctx, d.GetId())
	if err != nil {
		return err
	}
	for _, r := range d.GetResources() {
		ids = append(ids, r.GetId())
	}
	for _, rid := range ids {
		if err := s.pipeline.Forget(ctx, rid); err != nil {
			return fmt.Errorf("dataset %s deleted: %w", d.GetId(), err)
		}
	}
	s.log.InfoContext(ctx, "deleted dataset's previews dropped", "dataset_id", d.GetId(), "resources", len(ids))
	return nil
}

// restoreDataset analyzes the resources of a restored dataset again (the
// full dataset is read from the catalog when the event's snapshot left
// resources out), then forgets that it was deleted. A transient failure
// leaves it marked deleted: the redelivered event goes on where it stopped
// (the resources analyzed already have their record).
func (s *Service) restoreDataset(ctx context.Context, d *catalogv1.Dataset, truncated bool) error {
	if truncated && s.catalog != nil {
		resp, err := s.catalog.GetDataset(grpcx.WithAPIKey(ctx, s.cfg.CatalogAPIKey), &catalogv1.GetDatasetRequest{Dataset: d.GetId()})
		if err != nil {
			return fmt.Errorf("read restored dataset %s: %w", d.GetId(), err)
		}
		d = resp.GetDataset()
	}
	var errs []error
	for _, r := range d.GetResources() {
		job, ok := jobOf(s.cfg.PublicURL, d.GetId(), r)
		if !ok {
			continue
		}
		if _, err := s.pipeline.Process(ctx, job); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dataset %s restored: %w", d.GetId(), err)
	}
	_, err := s.records.DatasetRestored(ctx, d.GetId())
	s.log.InfoContext(ctx, "restored dataset analyzed again", "dataset_id", d.GetId(), "resources", len(d.GetResources()))
	return err
}
