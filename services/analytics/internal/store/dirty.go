package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/relais-data/relais/pkg/sqldb"
)

// shownTypes are the object types whose figures the catalog shows.
var shownTypes = map[string]bool{"dataset": true, "resource": true, "organization": true, "reuse": true}

// Dirty is an object whose counts changed at At (unix microseconds).
type Dirty struct {
	ObjectType, ObjectID string
	At                   int64
}

// markDirty records that the counts of objects changed.
func markDirty(ctx context.Context, tx *sqldb.Tx, objects map[Increment]bool, now int64) error {
	keys := make([]Increment, 0, len(objects))
	for inc := range objects {
		if shownTypes[inc.ObjectType] {
			keys = append(keys, Increment{ObjectType: inc.ObjectType, ObjectID: inc.ObjectID})
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].ObjectType < keys[j].ObjectType || (keys[i].ObjectType == keys[j].ObjectType && keys[i].ObjectID < keys[j].ObjectID)
	})
	keys = dedup(keys)
	for start := 0; start < len(keys); start += rowsPerStatement {
		chunk := keys[start:min(start+rowsPerStatement, len(keys))]
		var b strings.Builder
		args := make([]any, 0, 3*len(chunk))
		b.WriteString("INSERT INTO analytics_dirty (object_type, object_id, dirty_at) VALUES ")
		b.WriteString(sqldb.Rows(len(chunk), 3))
		for _, k := range chunk {
			args = append(args, k.ObjectType, k.ObjectID, now)
		}
		b.WriteString(" ON CONFLICT (object_type, object_id) DO UPDATE SET dirty_at = excluded.dirty_at")
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("mark changed objects: %w", err)
		}
	}
	return nil
}

func dedup(sorted []Increment) []Increment {
	out := sorted[:0]
	for i, k := range sorted {
		if i == 0 || k != sorted[i-1] {
			out = append(out, k)
		}
	}
	return out
}

// Dirty returns up to limit objects whose counts changed since they were
// last cleaned.
func (s *Store) Dirty(ctx context.Context, limit int) ([]Dirty, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT object_type, object_id, dirty_at FROM analytics_dirty ORDER BY dirty_at LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("read changed objects: %w", err)
	}
	defer rows.Close()
	var out []Dirty
	for rows.Next() {
		var d Dirty
		if err := rows.Scan(&d.ObjectType, &d.ObjectID, &d.At); err != nil {
			return nil, fmt.Errorf("read changed objects: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Clean forgets that objects changed, unless they changed again after
// they were read.
func (s *Store) Clean(ctx context.Context, objects []Dirty) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, d := range objects {
			if _, err := tx.ExecContext(ctx, "DELETE FROM analytics_dirty WHERE object_type = ? AND object_id = ? AND dirty_at <= ?",
				d.ObjectType, d.ObjectID, d.At); err != nil {
				return fmt.Errorf("clean changed objects: %w", err)
			}
		}
		return nil
	})
}
