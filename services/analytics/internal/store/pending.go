package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// Pending is an organization's metric counted for a dataset whose
// organization is not known yet (no catalog event about it was counted):
// it waits in analytics_pending until one says which organization
// publishes the dataset. The gateway publishes views straight to the
// stream while the catalog's dataset events go through its outbox, so a
// new dataset's first views can come before its creation.
type Pending struct {
	DatasetID string
	Metric    string
}

type pendingKey struct {
	Pending
	day string
}

// addPending adds counts waiting for their datasets' organizations.
func addPending(ctx context.Context, tx *sqldb.Tx, counts map[pendingKey]int64) error {
	keys := make([]pendingKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.DatasetID != b.DatasetID {
			return a.DatasetID < b.DatasetID
		}
		if a.Metric != b.Metric {
			return a.Metric < b.Metric
		}
		return a.day < b.day
	})
	for start := 0; start < len(keys); start += rowsPerStatement {
		chunk := keys[start:min(start+rowsPerStatement, len(keys))]
		var b strings.Builder
		args := make([]any, 0, 4*len(chunk))
		b.WriteString("INSERT INTO analytics_pending (dataset_id, metric, day, count) VALUES ")
		b.WriteString(sqldb.Rows(len(chunk), 4))
		for _, k := range chunk {
			args = append(args, k.DatasetID, k.Metric, k.day, counts[k])
		}
		b.WriteString(" ON CONFLICT (dataset_id, metric, day) DO UPDATE SET count = analytics_pending.count + excluded.count")
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("add pending counts: %w", err)
		}
	}
	return nil
}

// attributePending moves the pending counts of the datasets of ids (nil:
// every dataset) whose organization is now known to that organization, and
// drops those of datasets known to have none.
func attributePending(ctx context.Context, tx *sqldb.Tx, ids []string) error {
	if ids == nil {
		return attributeWhere(ctx, tx, "")
	}
	for start := 0; start < len(ids); start += rowsPerStatement {
		chunk := ids[start:min(start+rowsPerStatement, len(ids))]
		if err := attributeWhere(ctx, tx, " WHERE p.dataset_id IN ("+sqldb.Placeholders(len(chunk))+")", sqldb.StringArgs(chunk)...); err != nil {
			return err
		}
	}
	return nil
}

// attributeWhere is attributePending for the pending rows (p) of where.
func attributeWhere(ctx context.Context, tx *sqldb.Tx, where string, args ...any) error {
	rows, err := tx.QueryContext(ctx, "SELECT p.dataset_id, p.metric, p.day, p.count, d.organization_id FROM analytics_pending p "+
		"JOIN analytics_datasets d ON d.dataset_id = p.dataset_id"+where, args...)
	if err != nil {
		return fmt.Errorf("read pending counts: %w", err)
	}
	daily, monthly := map[key]int64{}, map[key]int64{}
	changed := map[Increment]bool{}
	known := map[string]bool{}
	for rows.Next() {
		var dataset, metric, day, org string
		var n int64
		if err := rows.Scan(&dataset, &metric, &day, &n, &org); err != nil {
			rows.Close()
			return fmt.Errorf("read pending counts: %w", err)
		}
		known[dataset] = true
		if org == "" {
			continue // a user's dataset: no organization to count for
		}
		inc := Increment{ObjectType: "organization", ObjectID: org, Metric: metric}
		daily[key{inc, day}] += n
		monthly[key{inc, day[:7]}] += n
		changed[inc] = true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("read pending counts: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read pending counts: %w", err)
	}
	if len(known) == 0 {
		return nil
	}
	if err := markDirty(ctx, tx, changed, time.Now().UnixMicro()); err != nil {
		return err
	}
	if err := upsertCounts(ctx, tx, "analytics_daily", "day", daily); err != nil {
		return err
	}
	if err := upsertCounts(ctx, tx, "analytics_monthly", "month", monthly); err != nil {
		return err
	}
	done := make([]string, 0, len(known))
	for id := range known {
		done = append(done, id)
	}
	sort.Strings(done)
	for start := 0; start < len(done); start += rowsPerStatement {
		chunk := done[start:min(start+rowsPerStatement, len(done))]
		if _, err := tx.ExecContext(ctx, "DELETE FROM analytics_pending WHERE dataset_id IN ("+sqldb.Placeholders(len(chunk))+")",
			sqldb.StringArgs(chunk)...); err != nil {
			return fmt.Errorf("remove attributed pending counts: %w", err)
		}
	}
	return nil
}

// AttributePending moves every pending count whose dataset's organization
// is now known to it. Record and SetDatasetOrganizations do it for their
// datasets already; this catches the counts two concurrent writers (two
// consumers on PostgreSQL) left between them.
func (s *Store) AttributePending(ctx context.Context) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error { return attributePending(ctx, tx, nil) })
}
