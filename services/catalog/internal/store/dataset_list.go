package store

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// DatasetFilter selects datasets for a list page. Deleted and archived
// datasets are never listed; private ones only through Visibility.
type DatasetFilter struct {
	// Words must all appear in the search text (already folded).
	Words          []string
	Tags           []string // all must match
	OrganizationID string
	OwnerID        string
	License        string
	Format         string
	Featured       *bool
	// Private datasets of these organizations, or of PrivateOwnerID, are
	// listed too; AllPrivate lists every private dataset (sysadmins).
	PrivateOrgIDs  []string
	PrivateOwnerID string
	AllPrivate     bool
	// AnyState widens the above to udata's visible_by_user: every dataset
	// for AllPrivate, and the organizations' and owner's datasets whatever
	// their state (private, deleted, archived). Archived, Deleted and
	// Private then narrow the list.
	AnyState bool
	Archived *bool
	Deleted  *bool
	Private  *bool

	Granularity   string // spatial.granularity
	Zone          string // one of spatial.zones
	Badge         string // a badge kind
	Schema        string // a resource's schema name
	SchemaVersion string // a resource's schema version
	// The temporal coverage starts between these dates (YYYY-MM-DD,
	// included) when TemporalFrom is set.
	TemporalFrom, TemporalTo string
	// IDs, when set, narrows the list to these datasets.
	IDs []string
	// ReuseID, when set, narrows the list to the datasets a reuse links.
	ReuseID string
}

// DatasetSort orders a list: Field is created, last_update or title.
type DatasetSort struct {
	Field string
	Desc  bool
}

var sortColumns = map[string]string{"created": "created", "last_update": "last_update", "title": "title_sort"}

// sortCounts are the sorts on live counts, computed per listed row.
var sortCounts = map[string]string{
	"reuses":    "(SELECT count(*) FROM reuse_datasets rd WHERE rd.dataset_id = d.id AND rd.listed = 1)",
	"followers": "(SELECT count(*) FROM follows fo WHERE fo.object_type = 'dataset' AND fo.object_id = d.id)",
}

// query builds the FROM/WHERE part and its arguments. When the filter has
// tags (or a format), the first one drives the query from its index table,
// whose rows carry listed and created.
func (f DatasetFilter) query() (from string, where []string, args []any, drive string) {
	from = "datasets d"
	includesPrivate := f.AllPrivate || len(f.PrivateOrgIDs) > 0 || f.PrivateOwnerID != ""
	visible := func(alias string) (string, []any) {
		if !includesPrivate {
			return alias + ".listed = 1", nil
		}
		if f.AllPrivate && f.AnyState {
			return "1 = 1", nil
		}
		if f.AllPrivate {
			return "(" + alias + ".listed = 1 OR (d.deleted_at IS NULL AND d.archived_at IS NULL))", nil
		}
		var ors []string
		var a []any
		if len(f.PrivateOrgIDs) > 0 {
			ors = append(ors, "d.organization_id IN ("+sqldb.Placeholders(len(f.PrivateOrgIDs))+")")
			a = append(a, sqldb.StringArgs(f.PrivateOrgIDs)...)
		}
		if f.PrivateOwnerID != "" {
			ors = append(ors, "d.owner_id = ?")
			a = append(a, f.PrivateOwnerID)
		}
		if f.AnyState {
			return "(" + alias + ".listed = 1 OR " + strings.Join(ors, " OR ") + ")", a
		}
		return "(" + alias + ".listed = 1 OR (d.deleted_at IS NULL AND d.archived_at IS NULL AND (" + strings.Join(ors, " OR ") + ")))", a
	}
	tags := f.Tags
	switch {
	case len(tags) > 0:
		drive = "t"
		from = "dataset_tags t JOIN datasets d ON d.id = t.dataset_id"
		where = append(where, "t.tag = ?")
		args = append(args, tags[0])
		tags = tags[1:]
	case f.Format != "":
		drive = "t"
		from = "dataset_formats t JOIN datasets d ON d.id = t.dataset_id"
		where = append(where, "t.format = ?")
		args = append(args, f.Format)
	default:
		drive = "d"
	}
	v, va := visible(drive)
	where = append(where, v)
	args = append(args, va...)
	for _, t := range tags {
		where = append(where, "EXISTS (SELECT 1 FROM dataset_tags x WHERE x.dataset_id = d.id AND x.tag = ?)")
		args = append(args, t)
	}
	if f.Format != "" && drive == "t" && len(f.Tags) > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM dataset_formats y WHERE y.dataset_id = d.id AND y.format = ?)")
		args = append(args, f.Format)
	}
	if f.OrganizationID != "" {
		where = append(where, "d.organization_id = ?")
		args = append(args, f.OrganizationID)
	}
	if f.OwnerID != "" {
		where = append(where, "d.owner_id = ?")
		args = append(args, f.OwnerID)
	}
	if f.License != "" {
		where = append(where, "d.license = ?")
		args = append(args, f.License)
	}
	if f.Featured != nil {
		where = append(where, "d.featured = ?")
		args = append(args, boolInt(*f.Featured))
	}
	stateFilter := func(col string, v *bool) {
		if v == nil {
			return
		}
		if *v {
			where = append(where, col+" IS NOT NULL")
		} else {
			where = append(where, col+" IS NULL")
		}
	}
	stateFilter("d.archived_at", f.Archived)
	stateFilter("d.deleted_at", f.Deleted)
	if f.Private != nil {
		where = append(where, "d.private = ?")
		args = append(args, boolInt(*f.Private))
	}
	if f.Granularity != "" {
		where = append(where, "d.granularity = ?")
		args = append(args, f.Granularity)
	}
	for _, t := range [][2]string{{termZone, f.Zone}, {termBadge, f.Badge}, {termSchema, f.Schema}, {termSchemaVersion, f.SchemaVersion}} {
		if t[1] != "" {
			where = append(where, "EXISTS (SELECT 1 FROM dataset_terms z WHERE z.dataset_id = d.id AND z.kind = ? AND z.value = ?)")
			args = append(args, t[0], t[1])
		}
	}
	if f.TemporalFrom != "" {
		where = append(where, "d.temporal_start <> '' AND d.temporal_start >= ? AND d.temporal_start <= ?")
		args = append(args, f.TemporalFrom, f.TemporalTo)
	}
	if len(f.IDs) > 0 {
		where = append(where, "d.id IN ("+sqldb.Placeholders(len(f.IDs))+")")
		args = append(args, sqldb.StringArgs(f.IDs)...)
	}
	if f.ReuseID != "" {
		where = append(where, "EXISTS (SELECT 1 FROM reuse_datasets rd WHERE rd.dataset_id = d.id AND rd.reuse_id = ?)")
		args = append(args, f.ReuseID)
	}
	for _, w := range f.Words {
		where = append(where, "d.q LIKE ?")
		args = append(args, "%"+escapeLike(w)+"%")
	}
	return from, where, args, drive
}

// escapeLike neutralises LIKE wildcards (words are alphanumeric already;
// this is defence in depth).
func escapeLike(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}

// ListDatasets returns one page of datasets.
func (q Q) ListDatasets(ctx context.Context, f DatasetFilter, sort DatasetSort, limit, offset int) ([]*catalogv1.Dataset, error) {
	from, where, args, drive := f.query()
	col, ok := sortColumns[sort.Field]
	if !ok {
		col = "created"
	}
	alias := "d"
	if drive == "t" && col == "created" {
		alias = "t" // the driving index is ordered by created
	}
	dir := "ASC"
	if sort.Desc {
		dir = "DESC"
	}
	idCol := "d.id"
	if alias == "t" {
		idCol = "t.dataset_id"
	}
	order := alias + "." + col
	if expr, ok := sortCounts[sort.Field]; ok {
		order, idCol = expr, "d.id"
	}
	query := "SELECT d.doc FROM " + from + " WHERE " + strings.Join(where, " AND ") +
		" ORDER BY " + order + " " + dir + ", " + idCol + " " + dir + " LIMIT ? OFFSET ?"
	args = append(args, limit, offset)
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	defer rows.Close()
	out := make([]*catalogv1.Dataset, 0, limit)
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("list datasets: %w", err)
		}
		d := &catalogv1.Dataset{}
		if err := proto.Unmarshal(doc, d); err != nil {
			return nil, fmt.Errorf("list datasets: decode: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	return out, nil
}

// CountDatasets counts the datasets a filter selects.
func (q Q) CountDatasets(ctx context.Context, f DatasetFilter) (int64, error) {
	from, where, args, _ := f.query()
	var n int64
	if err := q.q.QueryRowContext(ctx, "SELECT count(*) FROM "+from+" WHERE "+strings.Join(where, " AND "), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count datasets: %w", err)
	}
	return n, nil
}

// CountDatasetsCached is CountDatasets behind a short-lived cache keyed by
// the filter and invalidated by every write transaction of this store.
func (s *Store) CountDatasetsCached(ctx context.Context, f DatasetFilter) (int64, error) {
	key := f.key()
	if n, ok := s.counts.get(key); ok {
		return n, nil
	}
	gen := s.generation.Load()
	n, err := s.CountDatasets(ctx, f)
	if err != nil {
		return 0, err
	}
	s.counts.put(key, n, gen)
	return n, nil
}

func (f DatasetFilter) key() string {
	var b strings.Builder
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
			b.WriteByte(0)
		}
		b.WriteByte(1)
	}
	w(f.Words...)
	w(f.Tags...)
	w(f.OrganizationID, f.OwnerID, f.License, f.Format, f.PrivateOwnerID)
	w(f.PrivateOrgIDs...)
	opt := func(v *bool) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprint(*v)
	}
	w(opt(f.Featured), fmt.Sprint(f.AllPrivate), fmt.Sprint(f.AnyState), opt(f.Archived), opt(f.Deleted), opt(f.Private))
	w(f.Granularity, f.Zone, f.Badge, f.Schema, f.SchemaVersion, f.TemporalFrom, f.TemporalTo, f.ReuseID)
	w(f.IDs...)
	return b.String()
}
