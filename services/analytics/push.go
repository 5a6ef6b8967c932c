package analytics

import (
	"context"
	"fmt"

	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// pushBatch is how many objects' figures go to the catalog in one call.
const pushBatch = 500

// shownMetrics are the figures the catalog shows, per object type.
var shownMetrics = map[string][]string{
	"dataset":      {"views", "resources_downloads"},
	"resource":     {"downloads"},
	"organization": {"views"},
	"reuse":        {"views"},
}

// pushFigures sends the totals of the objects whose counts changed to the
// catalog, which shows them in the objects' metrics. It returns how many
// objects it sent.
func (s *Service) pushFigures(ctx context.Context) (int, error) {
	sent := 0
	for {
		dirty, err := s.store.Dirty(ctx, pushBatch)
		if err != nil || len(dirty) == 0 {
			return sent, err
		}
		byType := map[string][]string{}
		for _, d := range dirty {
			byType[d.ObjectType] = append(byType[d.ObjectType], d.ObjectID)
		}
		req := &catalogv1.SetMetricsRequest{}
		for objectType, ids := range byType {
			totals, err := s.store.Totals(ctx, objectType, ids)
			if err != nil {
				return sent, err
			}
			for _, id := range ids {
				figures := make(map[string]int64, len(shownMetrics[objectType]))
				for _, m := range shownMetrics[objectType] {
					figures[m] = totals[id][m]
				}
				req.Objects = append(req.Objects, &catalogv1.ObjectMetrics{ObjectType: objectType, ObjectId: id, Metrics: figures})
			}
		}
		if _, err := s.catalog.SetMetrics(grpcx.WithAPIKey(ctx, s.cfg.CatalogAPIKey), req); err != nil {
			return sent, fmt.Errorf("send figures of %d objects to the catalog: %w", len(req.Objects), err)
		}
		if err := s.store.Clean(ctx, dirty); err != nil {
			return sent, err
		}
		sent += len(dirty)
		if len(dirty) < pushBatch {
			return sent, nil
		}
	}
}
