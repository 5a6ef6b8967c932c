package records

import (
	"context"
	"fmt"
	"time"
)

// ResourcesOf returns the ids of the resources of dataset id that have a
// record.
func (s *Store) ResourcesOf(ctx context.Context, datasetID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT resource_id FROM preview_resources WHERE dataset_id = ? ORDER BY resource_id`, datasetID)
	if err != nil {
		return nil, fmt.Errorf("resources of dataset %s: %w", datasetID, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("resources of dataset %s: %w", datasetID, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("resources of dataset %s: %w", datasetID, err)
	}
	return ids, nil
}

// MarkDatasetDeleted records that dataset id was deleted in the catalog.
func (s *Store) MarkDatasetDeleted(ctx context.Context, datasetID string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO preview_deleted_datasets (dataset_id, deleted_at) VALUES (?, ?)
		ON CONFLICT (dataset_id) DO NOTHING`, datasetID, at.UnixMicro())
	if err != nil {
		return fmt.Errorf("mark dataset %s deleted: %w", datasetID, err)
	}
	return nil
}

// DatasetDeleted says whether dataset id is deleted (an empty id never is).
func (s *Store) DatasetDeleted(ctx context.Context, datasetID string) (bool, error) {
	if datasetID == "" {
		return false, nil
	}
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM preview_deleted_datasets WHERE dataset_id = ?`, datasetID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up dataset %s: %w", datasetID, err)
	}
	return n > 0, nil
}

// DatasetRestored forgets that dataset id was deleted; restored says
// whether it was.
func (s *Store) DatasetRestored(ctx context.Context, datasetID string) (restored bool, err error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM preview_deleted_datasets WHERE dataset_id = ?`, datasetID)
	if err != nil {
		return false, fmt.Errorf("restore dataset %s: %w", datasetID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("restore dataset %s: %w", datasetID, err)
	}
	return n > 0, nil
}
