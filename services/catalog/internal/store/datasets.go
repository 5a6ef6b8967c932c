package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
)

// DatasetRecord is a dataset as stored: its document (organization and
// owner reduced to their ids, no computed fields) and its search text.
type DatasetRecord struct {
	Dataset *catalogv1.Dataset
	// SearchText is the folded text q matches: title, acronym, tags,
	// organization name, description.
	SearchText string
}

// datasetColumns are the values of the indexed columns of d.
type datasetColumns struct {
	orgID, ownerID        string
	private, listed, feat int
	created, lastUpdate   int64
	deleted, archived     int64
	titleSort             string
	tags, formats, resIDs []string
	granularity           string
	temporalStart         string
	terms                 [][2]string // kind, value (dataset_terms)
}

// Kinds of dataset_terms rows.
const (
	termZone          = "zone"
	termBadge         = "badge"
	termSchema        = "schema"
	termSchemaVersion = "schema_version"
)

func columnsOf(d *catalogv1.Dataset) datasetColumns {
	c := datasetColumns{
		orgID:         d.GetOrganization().GetId(),
		ownerID:       d.GetOwner().GetId(),
		private:       boolInt(d.GetPrivate()),
		feat:          boolInt(d.GetFeatured()),
		created:       d.GetCreatedAtInternal().AsTime().UnixMicro(),
		lastUpdate:    d.GetLastUpdate().AsTime().UnixMicro(),
		titleSort:     domain.FoldText(d.GetTitle()),
		tags:          d.GetTags(),
		granularity:   d.GetSpatial().GetGranularity(),
		temporalStart: d.GetTemporalCoverage().GetStart(),
	}
	seenTerm := map[[2]string]bool{}
	term := func(kind, value string) {
		if t := [2]string{kind, value}; value != "" && !seenTerm[t] {
			seenTerm[t] = true
			c.terms = append(c.terms, t)
		}
	}
	for _, z := range d.GetSpatial().GetZones() {
		term(termZone, z)
	}
	for _, b := range d.GetBadges() {
		term(termBadge, b.GetKind())
	}
	if d.Deleted != nil {
		c.deleted = d.GetDeleted().AsTime().UnixMicro()
	}
	if d.Archived != nil {
		c.archived = d.GetArchived().AsTime().UnixMicro()
	}
	c.listed = boolInt(!d.GetPrivate() && d.Deleted == nil && d.Archived == nil)
	seen := map[string]bool{}
	for _, r := range d.GetResources() {
		c.resIDs = append(c.resIDs, r.GetId())
		term(termSchema, r.GetSchema().GetName())
		term(termSchemaVersion, r.GetSchema().GetVersion())
		if f := r.GetFormat(); f != "" && !seen[f] {
			seen[f] = true
			c.formats = append(c.formats, f)
		}
	}
	return c
}

// InsertDataset stores a new dataset. It returns an error wrapping
// domain.ErrAlreadyExists when the id or slug is taken.
func (q Q) InsertDataset(ctx context.Context, rec DatasetRecord) error {
	d := rec.Dataset
	doc, err := proto.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode dataset %s: %w", d.GetId(), err)
	}
	c := columnsOf(d)
	_, err = q.q.ExecContext(ctx, `INSERT INTO datasets (id, slug, organization_id, owner_id, private, listed, featured, license,
		created, last_update, title_sort, deleted_at, archived_at, granularity, temporal_start, q, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.GetId(), d.GetSlug(), c.orgID, c.ownerID, c.private, c.listed, c.feat, d.GetLicense(),
		c.created, c.lastUpdate, c.titleSort, nullMicros(c.deleted), nullMicros(c.archived), c.granularity, c.temporalStart,
		rec.SearchText, doc)
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("insert dataset %s: %w", d.GetId(), domain.ErrAlreadyExists)
		}
		return fmt.Errorf("insert dataset %s: %w", d.GetId(), err)
	}
	if err := q.insertDatasetChildren(ctx, d.GetId(), c); err != nil {
		return fmt.Errorf("insert dataset %s: %w", d.GetId(), err)
	}
	return nil
}

// UpdateDataset replaces a stored dataset (same id).
func (q Q) UpdateDataset(ctx context.Context, rec DatasetRecord) error {
	d := rec.Dataset
	doc, err := proto.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode dataset %s: %w", d.GetId(), err)
	}
	c := columnsOf(d)
	res, err := q.q.ExecContext(ctx, `UPDATE datasets SET slug = ?, organization_id = ?, owner_id = ?, private = ?, listed = ?,
		featured = ?, license = ?, created = ?, last_update = ?, title_sort = ?, deleted_at = ?, archived_at = ?,
		granularity = ?, temporal_start = ?, q = ?, doc = ? WHERE id = ?`,
		d.GetSlug(), c.orgID, c.ownerID, c.private, c.listed, c.feat, d.GetLicense(), c.created, c.lastUpdate,
		c.titleSort, nullMicros(c.deleted), nullMicros(c.archived), c.granularity, c.temporalStart, rec.SearchText, doc, d.GetId())
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("update dataset %s: %w", d.GetId(), domain.ErrAlreadyExists)
		}
		return fmt.Errorf("update dataset %s: %w", d.GetId(), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update dataset %s: %w", d.GetId(), domain.ErrNotFound)
	}
	for _, stmt := range []string{
		`DELETE FROM dataset_tags WHERE dataset_id = ?`,
		`DELETE FROM dataset_formats WHERE dataset_id = ?`,
		`DELETE FROM dataset_terms WHERE dataset_id = ?`,
		`DELETE FROM resources WHERE dataset_id = ?`,
	} {
		if _, err := q.q.ExecContext(ctx, stmt, d.GetId()); err != nil {
			return fmt.Errorf("update dataset %s: %w", d.GetId(), err)
		}
	}
	if err := q.insertDatasetChildren(ctx, d.GetId(), c); err != nil {
		return fmt.Errorf("update dataset %s: %w", d.GetId(), err)
	}
	return nil
}

func (q Q) insertDatasetChildren(ctx context.Context, id string, c datasetColumns) error {
	// One multi-row statement per table: a round trip each, whatever the
	// number of tags, formats and resources.
	if len(c.tags) > 0 {
		args := make([]any, 0, 4*len(c.tags))
		for _, t := range c.tags {
			args = append(args, id, t, c.listed, c.created)
		}
		if _, err := q.q.ExecContext(ctx, `INSERT INTO dataset_tags (dataset_id, tag, listed, created) VALUES `+
			sqldb.Rows(len(c.tags), 4)+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
	}
	if len(c.formats) > 0 {
		args := make([]any, 0, 4*len(c.formats))
		for _, f := range c.formats {
			args = append(args, id, f, c.listed, c.created)
		}
		if _, err := q.q.ExecContext(ctx, `INSERT INTO dataset_formats (dataset_id, format, listed, created) VALUES `+
			sqldb.Rows(len(c.formats), 4)+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return fmt.Errorf("formats: %w", err)
		}
	}
	if len(c.terms) > 0 {
		args := make([]any, 0, 3*len(c.terms))
		for _, t := range c.terms {
			args = append(args, id, t[0], t[1])
		}
		if _, err := q.q.ExecContext(ctx, `INSERT INTO dataset_terms (dataset_id, kind, value) VALUES `+
			sqldb.Rows(len(c.terms), 3)+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return fmt.Errorf("terms: %w", err)
		}
	}
	if len(c.resIDs) > 0 {
		args := make([]any, 0, 2*len(c.resIDs))
		for _, r := range c.resIDs {
			args = append(args, r, id)
		}
		if _, err := q.q.ExecContext(ctx, `INSERT INTO resources (id, dataset_id) VALUES `+sqldb.Rows(len(c.resIDs), 2), args...); err != nil {
			if isUnique(err) {
				return fmt.Errorf("resources: %w", domain.ErrAlreadyExists)
			}
			return fmt.Errorf("resources: %w", err)
		}
	}
	return nil
}

// ExistingDatasetIDs returns which of ids are datasets.
func (q Q) ExistingDatasetIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	return q.existing(ctx, `SELECT id FROM datasets WHERE id IN (`, ids)
}

// TakenSlugs returns which of slugs are current slugs of kind.
func (q Q) TakenSlugs(ctx context.Context, kind string, slugs []string) (map[string]bool, error) {
	table, ok := slugTables[kind]
	if !ok {
		return nil, fmt.Errorf("taken slugs: unknown kind %q", kind)
	}
	return q.existing(ctx, `SELECT slug FROM `+table+` WHERE slug IN (`, slugs)
}

func (q Q) existing(ctx context.Context, prefix string, vals []string) (map[string]bool, error) {
	out := make(map[string]bool)
	for len(vals) > 0 {
		chunk := vals[:min(len(vals), 500)]
		vals = vals[len(chunk):]
		r, err := q.q.QueryContext(ctx, prefix+sqldb.Placeholders(len(chunk))+`)`, sqldb.StringArgs(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("existing values: %w", err)
		}
		for r.Next() {
			var v string
			if err := r.Scan(&v); err != nil {
				r.Close()
				return nil, fmt.Errorf("existing values: %w", err)
			}
			out[v] = true
		}
		if err := r.Close(); err != nil {
			return nil, fmt.Errorf("existing values: %w", err)
		}
		if err := r.Err(); err != nil {
			return nil, fmt.Errorf("existing values: %w", err)
		}
	}
	return out, nil
}

// GetDataset returns the dataset whose id or slug is ref (the id wins), or
// an error wrapping domain.ErrNotFound. Deleted datasets are returned too.
func (q Q) GetDataset(ctx context.Context, ref string) (*catalogv1.Dataset, error) {
	var row *sql.Row
	if domain.IsObjectID(ref) {
		row = q.q.QueryRowContext(ctx, `SELECT doc FROM datasets WHERE id = ? UNION ALL SELECT doc FROM datasets WHERE slug = ? LIMIT 1`, strings.ToLower(ref), ref)
	} else {
		row = q.q.QueryRowContext(ctx, `SELECT doc FROM datasets WHERE slug = ?`, ref)
	}
	return scanDataset(row, ref)
}

// LockDataset takes, in a PostgreSQL transaction, the row lock of the
// dataset ref names (id or slug) until the transaction ends, so that
// concurrent edits of one dataset (a user's update and the preview
// service's extras, say) read-modify-write one after the other instead of
// the later overwriting the earlier with what it read before (at READ
// COMMITTED both would read the same document). SQLite runs one writer
// at a time: nothing to do there, nor outside a transaction.
func (q Q) LockDataset(ctx context.Context, ref string) error {
	if q.tx == nil || q.tx.Driver() != sqldb.Postgres {
		return nil
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM datasets WHERE id = ? OR slug = ? FOR UPDATE`, strings.ToLower(ref), ref)
	if err != nil {
		return fmt.Errorf("lock dataset %s: %w", ref, err)
	}
	return rows.Close()
}

func scanDataset(row *sql.Row, ref string) (*catalogv1.Dataset, error) {
	var doc []byte
	if err := row.Scan(&doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("dataset %s: %w", ref, domain.ErrNotFound)
		}
		return nil, fmt.Errorf("get dataset %s: %w", ref, err)
	}
	d := &catalogv1.Dataset{}
	if err := proto.Unmarshal(doc, d); err != nil {
		return nil, fmt.Errorf("decode dataset %s: %w", ref, err)
	}
	return d, nil
}

// DatasetIDForResource returns the id of the dataset holding a resource.
func (q Q) DatasetIDForResource(ctx context.Context, resourceID string) (string, error) {
	var id string
	err := q.q.QueryRowContext(ctx, `SELECT dataset_id FROM resources WHERE id = ?`, strings.ToLower(resourceID)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("resource %s: %w", resourceID, domain.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("get resource %s: %w", resourceID, err)
	}
	return id, nil
}

// CountDatasetsByOrganization counts the listed datasets of organizations.
func (q Q) CountDatasetsByOrganization(ctx context.Context, orgIDs []string) (map[string]int64, error) {
	out := make(map[string]int64, len(orgIDs))
	if len(orgIDs) == 0 {
		return out, nil
	}
	rows, err := q.q.QueryContext(ctx, `SELECT organization_id, count(*) FROM datasets WHERE listed = 1 AND organization_id IN (`+
		sqldb.Placeholders(len(orgIDs))+`) GROUP BY organization_id`, sqldb.StringArgs(orgIDs)...)
	if err != nil {
		return nil, fmt.Errorf("count datasets by organization: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("count datasets by organization: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}
