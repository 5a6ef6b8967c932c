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
// (sysadmin only). No event is published: figures change all the time and
// nothing reacts to them.
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
	err = s.store.InTx(ctx, func(q store.Q) error {
		updated, err = q.SetMetrics(ctx, objects)
		return err
	})
	return updated, err
}
