package harvester

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/harvest/internal/remote"
	"github.com/relais-data/relais/services/harvest/internal/store"
)

// importBatch is how many creates go in one Import message (one catalog
// transaction).
const importBatch = 200

// updateWorkers is how many updates and archives are sent at once.
const updateWorkers = 4

// apply writes the run's approved items to the catalog, then closes it.
// Items already applied before a crash are not approved any more; those
// applied but not yet recorded are written again, which changes nothing.
func (h *Harvester) apply(ctx context.Context, src store.Source, r store.Run) error {
	items, err := h.Store.Items(ctx, r.ID, store.ItemApproved)
	if err != nil {
		return err
	}
	var creates, others []store.Item
	for _, it := range items {
		if it.Action == store.Create {
			creates = append(creates, it)
		} else {
			others = append(others, it)
		}
	}
	for start := 0; start < len(creates); start += importBatch {
		if err := h.create(ctx, src, creates[start:min(start+importBatch, len(creates))]); err != nil {
			return err
		}
	}
	if err := h.updateAll(ctx, src, others); err != nil {
		return err
	}
	r.Status = store.RunDone
	h.log().Info("harvest applied", "run", r.ID, "source", src.ID, "creates", len(creates), "updates and archives", len(others))
	return h.Store.SetRun(ctx, r)
}

// create imports a batch of new datasets. A batch the catalog refuses is
// imported again one dataset at a time, so that only the bad ones fail.
func (h *Harvester) create(ctx context.Context, src store.Source, batch []store.Item) error {
	now := h.now()
	datasets := make([]*catalogv1.Dataset, len(batch))
	for i, it := range batch {
		var d remote.Dataset
		if err := json.Unmarshal([]byte(it.SnapshotJSON), &d); err != nil {
			return fmt.Errorf("item %d: %w", it.Seq, err)
		}
		datasets[i] = importDataset(src, it.DatasetID, d, now)
	}
	err := h.importDatasets(ctx, datasets)
	if err == nil {
		return h.Store.Applied(ctx, src.ID, batch)
	}
	if len(batch) == 1 || ctx.Err() != nil {
		return h.refused(ctx, batch[0], err)
	}
	for i := range batch {
		if err := h.create(ctx, src, batch[i:i+1]); err != nil {
			return err
		}
	}
	return nil
}

func (h *Harvester) importDatasets(ctx context.Context, datasets []*catalogv1.Dataset) error {
	stream, err := h.Catalog.Import(h.withKey(ctx))
	if err != nil {
		return err
	}
	if err := stream.Send(&catalogv1.ImportRequest{Datasets: datasets}); err != nil {
		_, err = stream.CloseAndRecv() // the server's error, not io.EOF
		return err
	}
	_, err = stream.CloseAndRecv()
	return err
}

// updateAll applies updates and archives a few at a time.
func (h *Harvester) updateAll(ctx context.Context, src store.Source, items []store.Item) error {
	work := make(chan store.Item)
	errs := make(chan error, updateWorkers)
	var wg sync.WaitGroup
	for range updateWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if err := h.update(ctx, src, it); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
send:
	for _, it := range items {
		select {
		case work <- it:
		case err = <-errs:
			break send
		case <-ctx.Done():
			err = ctx.Err()
			break send
		}
	}
	close(work)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

// update writes one update or archive; the catalog's refusal fails the
// item, an error of this process's store stops the run.
func (h *Harvester) update(ctx context.Context, src store.Source, it store.Item) error {
	var d remote.Dataset
	if err := json.Unmarshal([]byte(it.SnapshotJSON), &d); err != nil {
		return fmt.Errorf("item %d: %w", it.Seq, err)
	}
	now := h.now()
	req := &catalogv1.UpdateDatasetRequest{Dataset: it.DatasetID}
	switch it.Action {
	case store.Archive:
		req.Input = &catalogv1.DatasetInput{Archived: true, HarvestJson: harvestJSON(src, d, now, true)}
		req.UpdateMask = &fieldmaskpb.FieldMask{Paths: []string{"archived", "harvest"}}
	case store.Update:
		got, err := h.Catalog.GetDataset(h.withKey(ctx), &catalogv1.GetDatasetRequest{Dataset: it.DatasetID})
		if err != nil {
			return h.refused(ctx, it, err)
		}
		req.Input = updateInput(src, d, got.GetDataset().GetResources(), now)
		req.UpdateMask = &fieldmaskpb.FieldMask{Paths: updatePaths}
		if got.GetDataset().GetArchived() != nil {
			req.UpdateMask.Paths = append(req.UpdateMask.Paths, "archived") // back at the source
		}
	default:
		return fmt.Errorf("item %d: unknown action %q", it.Seq, it.Action)
	}
	if _, err := h.Catalog.UpdateDataset(h.withKey(ctx), req); err != nil {
		return h.refused(ctx, it, err)
	}
	return h.Store.Applied(ctx, src.ID, []store.Item{it})
}

// refused records a catalog refusal on the item; a stopped context or an
// unreachable catalog stops the run instead (it resumes later).
func (h *Harvester) refused(ctx context.Context, it store.Item, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled, codes.Unauthenticated:
		return fmt.Errorf("catalog: %w", err)
	}
	return h.Store.Failed(ctx, it.RunID, it.Seq, refusal(err))
}

func refusal(err error) string {
	if s, ok := status.FromError(err); ok {
		if s.Code() == codes.NotFound {
			return "the local dataset is gone: " + s.Message()
		}
		return "refused by the catalog: " + s.Message()
	}
	return err.Error()
}
