package store

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// ReuseFilter selects reuses for a list page: listed ones (neither
// private nor deleted), plus the live private ones of PrivateOrgIDs or
// PrivateOwnerID (udata's visible_by_user), or all of them (AllPrivate).
type ReuseFilter struct {
	// Words must all appear in the search text (already folded).
	Words          []string
	Tags           []string // all must match
	DatasetID      string
	OrganizationID string
	OwnerID        string
	Type, Topic    string
	Featured       *bool
	FollowedBy     string
	// IDs, when set, narrows the list to these reuses.
	IDs []string

	PrivateOrgIDs  []string
	PrivateOwnerID string
	AllPrivate     bool
}

// Reuse sorts: the stored columns, and follows and views counted per row.
var reuseSortColumns = map[string]string{
	"created":       "r.created",
	"last_modified": "r.last_modified",
	"title":         "r.title_sort",
	"datasets":      "r.datasets",
	"followers":     "(SELECT count(*) FROM follows f WHERE f.object_type = 'reuse' AND f.object_id = r.id)",
	"views":         "COALESCE((SELECT m.value FROM object_metrics m WHERE m.object_type = 'reuse' AND m.object_id = r.id AND m.metric = 'views'), 0)",
}

func (f ReuseFilter) query() (where []string, args []any) {
	var ors []string
	switch {
	case f.AllPrivate:
		ors = append(ors, "r.deleted_at IS NULL")
	default:
		if len(f.PrivateOrgIDs) > 0 {
			ors = append(ors, "(r.deleted_at IS NULL AND r.organization_id IN ("+sqldb.Placeholders(len(f.PrivateOrgIDs))+"))")
			args = append(args, sqldb.StringArgs(f.PrivateOrgIDs)...)
		}
		if f.PrivateOwnerID != "" {
			ors = append(ors, "(r.deleted_at IS NULL AND r.owner_id = ?)")
			args = append(args, f.PrivateOwnerID)
		}
	}
	where = append(where, "(r.listed = 1"+prefixEach(" OR ", ors)+")")
	for _, t := range f.Tags {
		where = append(where, "EXISTS (SELECT 1 FROM reuse_tags t WHERE t.reuse_id = r.id AND t.tag = ?)")
		args = append(args, t)
	}
	if f.DatasetID != "" {
		where = append(where, "EXISTS (SELECT 1 FROM reuse_datasets x WHERE x.reuse_id = r.id AND x.dataset_id = ?)")
		args = append(args, f.DatasetID)
	}
	if len(f.IDs) > 0 {
		where = append(where, "r.id IN ("+sqldb.Placeholders(len(f.IDs))+")")
		args = append(args, sqldb.StringArgs(f.IDs)...)
	}
	if f.FollowedBy != "" {
		where = append(where, "EXISTS (SELECT 1 FROM follows y WHERE y.object_type = 'reuse' AND y.object_id = r.id AND y.follower_id = ?)")
		args = append(args, f.FollowedBy)
	}
	for _, c := range []struct{ col, v string }{
		{"r.organization_id", f.OrganizationID}, {"r.owner_id", f.OwnerID}, {"r.type", f.Type}, {"r.topic", f.Topic},
	} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if f.Featured != nil {
		where = append(where, "r.featured = ?")
		args = append(args, boolInt(*f.Featured))
	}
	for _, w := range f.Words {
		where = append(where, "r.q LIKE ?")
		args = append(args, "%"+escapeLike(w)+"%")
	}
	return where, args
}

func prefixEach(sep string, parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return sep + strings.Join(parts, sep)
}

// ListReuses returns one page of reuses sorted by field (a key of
// reuseSortColumns; created otherwise), then id.
func (q Q) ListReuses(ctx context.Context, f ReuseFilter, field string, desc bool, limit, offset int) ([]*catalogv1.Reuse, error) {
	where, args := f.query()
	col, ok := reuseSortColumns[field]
	if !ok {
		col = reuseSortColumns["created"]
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	rows, err := q.q.QueryContext(ctx, "SELECT r.doc FROM reuses r WHERE "+strings.Join(where, " AND ")+
		" ORDER BY "+col+dir+", r.id"+dir+" LIMIT ? OFFSET ?", append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("list reuses: %w", err)
	}
	defer rows.Close()
	out := make([]*catalogv1.Reuse, 0, limit)
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("list reuses: %w", err)
		}
		r := &catalogv1.Reuse{}
		if err := proto.Unmarshal(doc, r); err != nil {
			return nil, fmt.Errorf("list reuses: decode: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list reuses: %w", err)
	}
	return out, nil
}

// CountReuses counts the reuses a filter selects.
func (q Q) CountReuses(ctx context.Context, f ReuseFilter) (int64, error) {
	where, args := f.query()
	var n int64
	if err := q.q.QueryRowContext(ctx, "SELECT count(*) FROM reuses r WHERE "+strings.Join(where, " AND "), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count reuses: %w", err)
	}
	return n, nil
}
