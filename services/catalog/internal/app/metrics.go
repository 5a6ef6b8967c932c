package app

import (
	"context"
	"fmt"

	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// maxMetricsObjects bounds one SetMetrics call.
const maxMetricsObjects = 5000

// SetMetrics writes audience figures computed by the analytics service
// (sysadmin only). The datasets, organizations and reuses whose views
// changed are named in metrics_changed events (search sorts by them).
func (s *Service) SetMetrics(ctx context.Context, objects []store.ObjectMetrics) (int64, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return 0, err
	}
	if !caller.Sysadmin {
		return 0, fmt.Errorf("set metrics: %w", domain.ErrPermissionDenied)
	}
	var v domain.Violations
	if len(objects) > maxMetricsObjects {
		v.Add("objects", fmt.Sprintf("at most %d objects per call", maxMetricsObjects))
	}
	for _, o := range objects {
		switch o.ObjectType {
		case "dataset", "resource", "organization", "reuse":
		default:
			v.Add("objects", fmt.Sprintf("object_type %.40q: want dataset, resource, organization or reuse", o.ObjectType))
		}
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	var updated int64
	now := s.nowUTC()
	err = s.commit(ctx, func(q store.Q) error {
		var changed map[string][]string
		if updated, changed, err = q.SetMetrics(ctx, objects, sortedMetrics); err != nil {
			return err
		}
		for _, objectType := range []string{"dataset", "organization", "reuse"} {
			if err := metricsEvents(ctx, q, objectType, changed[objectType], now); err != nil {
				return err
			}
		}
		return nil
	})
	return updated, err
}
