package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/relais-data/relais/pkg/sqldb"
)

// ObjectMetrics are figures of one object.
type ObjectMetrics struct {
	ObjectType, ObjectID string
	Metrics              map[string]int64
}

// objectTables says where each object type with figures lives, to skip
// figures of objects the catalog does not know.
var objectTables = map[string]string{
	"dataset":      "SELECT 1 FROM datasets WHERE id = ?",
	"resource":     "SELECT 1 FROM resources WHERE id = ?",
	"organization": "SELECT 1 FROM organizations WHERE id = ?",
	"reuse":        "SELECT 1 FROM reuses WHERE id = ?",
}

// SetMetrics writes the figures of known objects and returns how many
// objects it updated and, by object type, the ids of those whose value of
// a watched metric changed.
func (q Q) SetMetrics(ctx context.Context, objects []ObjectMetrics, watched map[string]bool) (int64, map[string][]string, error) {
	var updated int64
	changed := map[string][]string{}
	for _, o := range objects {
		exists, ok := objectTables[o.ObjectType]
		if !ok {
			return updated, changed, fmt.Errorf("no figures for %q objects", o.ObjectType)
		}
		var one int
		switch err := q.q.QueryRowContext(ctx, exists, o.ObjectID).Scan(&one); {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return updated, changed, fmt.Errorf("set metrics of %s %s: %w", o.ObjectType, o.ObjectID, err)
		}
		moved := false
		for metric, value := range o.Metrics {
			// The WHERE leaves an unchanged row alone: no row affected.
			res, err := q.q.ExecContext(ctx, `INSERT INTO object_metrics (object_type, object_id, metric, value) VALUES (?, ?, ?, ?)
				ON CONFLICT (object_type, object_id, metric) DO UPDATE SET value = excluded.value WHERE object_metrics.value <> excluded.value`,
				o.ObjectType, o.ObjectID, metric, value)
			if err != nil {
				return updated, changed, fmt.Errorf("set metrics of %s %s: %w", o.ObjectType, o.ObjectID, err)
			}
			if n, err := res.RowsAffected(); err == nil && n > 0 && watched[metric] {
				moved = true
			}
		}
		if moved {
			changed[o.ObjectType] = append(changed[o.ObjectType], o.ObjectID)
		}
		updated++
	}
	return updated, changed, nil
}

// Metrics reads the figures of objects of one type, by object id.
func (q Q) Metrics(ctx context.Context, objectType string, ids []string) (map[string]map[string]int64, error) {
	out := make(map[string]map[string]int64, len(ids))
	for start := 0; start < len(ids); start += metricsPerQuery {
		if err := q.readMetrics(ctx, objectType, ids[start:min(start+metricsPerQuery, len(ids))], out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// metricsPerQuery bounds the ids of one query, far below the databases'
// parameter limits (a dataset may have thousands of resources).
const metricsPerQuery = 500

func (q Q) readMetrics(ctx context.Context, objectType string, ids []string, out map[string]map[string]int64) error {
	args := make([]any, 0, len(ids)+1)
	args = append(args, objectType)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := q.q.QueryContext(ctx, "SELECT object_id, metric, value FROM object_metrics WHERE object_type = ? AND object_id IN ("+
		sqldb.Placeholders(len(ids))+")", args...)
	if err != nil {
		return fmt.Errorf("read %s metrics: %w", objectType, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, metric string
		var v int64
		if err := rows.Scan(&id, &metric, &v); err != nil {
			return fmt.Errorf("read %s metrics: %w", objectType, err)
		}
		if out[id] == nil {
			out[id] = map[string]int64{}
		}
		out[id][metric] = v
	}
	return rows.Err()
}
