package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/relais-data/relais/pkg/sqldb"
)

// Totals sums, per object, each metric over every month.
func (s *Store) Totals(ctx context.Context, objectType string, ids []string) (map[string]map[string]int64, error) {
	out := make(map[string]map[string]int64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	q := "SELECT object_id, metric, SUM(count) FROM analytics_monthly WHERE object_type = ? AND object_id IN (" +
		sqldb.Placeholders(len(ids)) + ") GROUP BY object_id, metric"
	args := append([]any{objectType}, sqldb.StringArgs(ids)...)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s totals: %w", objectType, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, metric string
		var n int64
		if err := rows.Scan(&id, &metric, &n); err != nil {
			return nil, fmt.Errorf("read %s totals: %w", objectType, err)
		}
		if out[id] == nil {
			out[id] = map[string]int64{}
		}
		out[id][metric] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s totals: %w", objectType, err)
	}
	return out, nil
}

// MonthCount is one metric of one object in one month ("2026-11").
type MonthCount struct {
	ObjectID string
	Metric   string
	Month    string
	Count    int64
}

// MonthlyQuery selects monthly counts. Empty lists select everything; From
// and To ("YYYY-MM", inclusive) may be empty for open ends.
type MonthlyQuery struct {
	ObjectType string
	ObjectIDs  []string
	Metrics    []string
	From, To   string
	// Organization, when set, selects the datasets the organization
	// publishes (ObjectType must be "dataset").
	Organization string
}

// Monthly returns the counts of q ordered by object, month and metric.
func (s *Store) Monthly(ctx context.Context, q MonthlyQuery) ([]MonthCount, error) {
	var where []string
	args := []any{q.ObjectType}
	where = append(where, "m.object_type = ?")
	if len(q.ObjectIDs) > 0 {
		where = append(where, "m.object_id IN ("+sqldb.Placeholders(len(q.ObjectIDs))+")")
		args = append(args, sqldb.StringArgs(q.ObjectIDs)...)
	}
	if len(q.Metrics) > 0 {
		where = append(where, "m.metric IN ("+sqldb.Placeholders(len(q.Metrics))+")")
		args = append(args, sqldb.StringArgs(q.Metrics)...)
	}
	if q.From != "" {
		where = append(where, "m.month >= ?")
		args = append(args, q.From)
	}
	if q.To != "" {
		where = append(where, "m.month <= ?")
		args = append(args, q.To)
	}
	from := "analytics_monthly m"
	if q.Organization != "" {
		from += " JOIN analytics_datasets d ON d.dataset_id = m.object_id"
		where = append(where, "d.organization_id = ?")
		args = append(args, q.Organization)
	}
	query := "SELECT m.object_id, m.metric, m.month, m.count FROM " + from + " WHERE " +
		strings.Join(where, " AND ") + " ORDER BY m.object_id, m.month, m.metric"
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read monthly %s counts: %w", q.ObjectType, err)
	}
	defer rows.Close()
	var out []MonthCount
	for rows.Next() {
		var c MonthCount
		if err := rows.Scan(&c.ObjectID, &c.Metric, &c.Month, &c.Count); err != nil {
			return nil, fmt.Errorf("read monthly %s counts: %w", q.ObjectType, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read monthly %s counts: %w", q.ObjectType, err)
	}
	return out, nil
}

// OrganizationsOf returns the organization of each dataset of ids that a
// catalog event made known ("" for a user's dataset); unknown datasets
// are not in the map.
func (s *Store) OrganizationsOf(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for start := 0; start < len(ids); start += rowsPerStatement {
		chunk := ids[start:min(start+rowsPerStatement, len(ids))]
		rows, err := s.db.QueryContext(ctx, "SELECT dataset_id, organization_id FROM analytics_datasets WHERE dataset_id IN ("+
			sqldb.Placeholders(len(chunk))+")", sqldb.StringArgs(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("read organizations of datasets: %w", err)
		}
		for rows.Next() {
			var ds, org string
			if err := rows.Scan(&ds, &org); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read organizations of datasets: %w", err)
			}
			out[ds] = org
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read organizations of datasets: %w", err)
		}
	}
	return out, nil
}

// SetDatasetOrganization records which organization publishes a dataset
// ("" for a user's).
func (s *Store) SetDatasetOrganization(ctx context.Context, datasetID, organizationID string) error {
	return s.SetDatasetOrganizations(ctx, map[string]string{datasetID: organizationID})
}

// SetDatasetOrganizations records, in one transaction, the organization of
// each dataset of byDataset, which gets the counts pending for it.
func (s *Store) SetDatasetOrganizations(ctx context.Context, byDataset map[string]string) error {
	if len(byDataset) == 0 {
		return nil
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for dataset, org := range byDataset {
			if _, err := tx.ExecContext(ctx, `INSERT INTO analytics_datasets (dataset_id, organization_id) VALUES (?, ?)
				ON CONFLICT (dataset_id) DO UPDATE SET organization_id = excluded.organization_id`, dataset, org); err != nil {
				return err
			}
		}
		return attributePending(ctx, tx, slices.Sorted(maps.Keys(byDataset)))
	})
	if err != nil {
		return fmt.Errorf("record the organizations of %d datasets: %w", len(byDataset), err)
	}
	return nil
}
