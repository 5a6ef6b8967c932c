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

// ReuseRecord is a reuse as stored: its document (references reduced to
// ids, no computed fields), its search text and its normalized url.
type ReuseRecord struct {
	Reuse *catalogv1.Reuse
	// SearchText is the folded text q matches.
	SearchText string
	// URLKey is the url as compared for uniqueness (udata's urlhash).
	URLKey string
}

type reuseColumns struct {
	orgID, ownerID              string
	private, listed, feat       int
	created, modified           int64
	deleted, archived, datasets int64
	titleSort                   string
}

func reuseColumnsOf(r *catalogv1.Reuse) reuseColumns {
	c := reuseColumns{
		orgID:     r.GetOrganization().GetId(),
		ownerID:   r.GetOwner().GetId(),
		private:   boolInt(r.GetPrivate()),
		feat:      boolInt(r.GetFeatured()),
		created:   r.GetCreatedAt().AsTime().UnixMicro(),
		modified:  r.GetLastModified().AsTime().UnixMicro(),
		datasets:  int64(len(r.GetDatasetIds())),
		titleSort: domain.FoldText(r.GetTitle()),
	}
	if r.Deleted != nil {
		c.deleted = r.GetDeleted().AsTime().UnixMicro()
	}
	if r.Archived != nil {
		c.archived = r.GetArchived().AsTime().UnixMicro()
	}
	c.listed = boolInt(!r.GetPrivate() && r.Deleted == nil)
	return c
}

// InsertReuse stores a new reuse. It returns an error wrapping
// domain.ErrAlreadyExists when the id, slug or url is taken.
func (q Q) InsertReuse(ctx context.Context, rec ReuseRecord) error {
	r := rec.Reuse
	doc, err := proto.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode reuse %s: %w", r.GetId(), err)
	}
	c := reuseColumnsOf(r)
	_, err = q.q.ExecContext(ctx, `INSERT INTO reuses (id, slug, url_key, organization_id, owner_id, private, listed, featured,
		type, topic, datasets, created, last_modified, title_sort, deleted_at, archived_at, q, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.GetId(), r.GetSlug(), rec.URLKey, c.orgID, c.ownerID, c.private, c.listed, c.feat,
		r.GetType(), r.GetTopic(), c.datasets, c.created, c.modified, c.titleSort, nullMicros(c.deleted), nullMicros(c.archived),
		rec.SearchText, doc)
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("insert reuse %s: %w", r.GetId(), domain.ErrAlreadyExists)
		}
		return fmt.Errorf("insert reuse %s: %w", r.GetId(), err)
	}
	return q.insertReuseChildren(ctx, r, c)
}

// UpdateReuse replaces a stored reuse (same id).
func (q Q) UpdateReuse(ctx context.Context, rec ReuseRecord) error {
	r := rec.Reuse
	doc, err := proto.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode reuse %s: %w", r.GetId(), err)
	}
	c := reuseColumnsOf(r)
	res, err := q.q.ExecContext(ctx, `UPDATE reuses SET slug = ?, url_key = ?, organization_id = ?, owner_id = ?, private = ?,
		listed = ?, featured = ?, type = ?, topic = ?, datasets = ?, created = ?, last_modified = ?, title_sort = ?,
		deleted_at = ?, archived_at = ?, q = ?, doc = ? WHERE id = ?`,
		r.GetSlug(), rec.URLKey, c.orgID, c.ownerID, c.private, c.listed, c.feat, r.GetType(), r.GetTopic(), c.datasets,
		c.created, c.modified, c.titleSort, nullMicros(c.deleted), nullMicros(c.archived), rec.SearchText, doc, r.GetId())
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("update reuse %s: %w", r.GetId(), domain.ErrAlreadyExists)
		}
		return fmt.Errorf("update reuse %s: %w", r.GetId(), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update reuse %s: %w", r.GetId(), domain.ErrNotFound)
	}
	for _, stmt := range []string{`DELETE FROM reuse_datasets WHERE reuse_id = ?`, `DELETE FROM reuse_tags WHERE reuse_id = ?`} {
		if _, err := q.q.ExecContext(ctx, stmt, r.GetId()); err != nil {
			return fmt.Errorf("update reuse %s: %w", r.GetId(), err)
		}
	}
	return q.insertReuseChildren(ctx, r, c)
}

func (q Q) insertReuseChildren(ctx context.Context, r *catalogv1.Reuse, c reuseColumns) error {
	if ids := r.GetDatasetIds(); len(ids) > 0 {
		args := make([]any, 0, 3*len(ids))
		for _, id := range ids {
			args = append(args, r.GetId(), id, c.listed)
		}
		if _, err := q.q.ExecContext(ctx, `INSERT INTO reuse_datasets (reuse_id, dataset_id, listed) VALUES `+
			sqldb.Rows(len(ids), 3)+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return fmt.Errorf("reuse %s datasets: %w", r.GetId(), err)
		}
	}
	if tags := r.GetTags(); len(tags) > 0 {
		args := make([]any, 0, 2*len(tags))
		for _, t := range tags {
			args = append(args, r.GetId(), t)
		}
		if _, err := q.q.ExecContext(ctx, `INSERT INTO reuse_tags (reuse_id, tag) VALUES `+
			sqldb.Rows(len(tags), 2)+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return fmt.Errorf("reuse %s tags: %w", r.GetId(), err)
		}
	}
	return nil
}

// GetReuse returns the reuse whose id or slug is ref (the id wins), or an
// error wrapping domain.ErrNotFound. Deleted reuses are returned too.
func (q Q) GetReuse(ctx context.Context, ref string) (*catalogv1.Reuse, error) {
	var row *sql.Row
	if domain.IsObjectID(ref) {
		row = q.q.QueryRowContext(ctx, `SELECT doc FROM reuses WHERE id = ? UNION ALL SELECT doc FROM reuses WHERE slug = ? LIMIT 1`, strings.ToLower(ref), ref)
	} else {
		row = q.q.QueryRowContext(ctx, `SELECT doc FROM reuses WHERE slug = ?`, ref)
	}
	var doc []byte
	if err := row.Scan(&doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("reuse %s: %w", ref, domain.ErrNotFound)
		}
		return nil, fmt.Errorf("get reuse %s: %w", ref, err)
	}
	r := &catalogv1.Reuse{}
	if err := proto.Unmarshal(doc, r); err != nil {
		return nil, fmt.Errorf("decode reuse %s: %w", ref, err)
	}
	return r, nil
}

// ReuseURLTaken reports whether another reuse than exceptID has urlKey.
func (q Q) ReuseURLTaken(ctx context.Context, urlKey, exceptID string) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT 1 FROM reuses WHERE url_key = ? AND id <> ?`, urlKey, exceptID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reuse url taken: %w", err)
	}
	return true, nil
}

// CountReusesByDataset counts the listed reuses linking each dataset.
func (q Q) CountReusesByDataset(ctx context.Context, datasetIDs []string) (map[string]int64, error) {
	return q.countBy(ctx, `SELECT dataset_id, count(*) FROM reuse_datasets WHERE listed = 1 AND dataset_id IN (`, `) GROUP BY dataset_id`, datasetIDs)
}

// CountReusesByOrganization counts the listed reuses of organizations
// that link at least one dataset (udata's visible reuses).
func (q Q) CountReusesByOrganization(ctx context.Context, orgIDs []string) (map[string]int64, error) {
	return q.countBy(ctx, `SELECT organization_id, count(*) FROM reuses WHERE listed = 1 AND datasets > 0 AND organization_id IN (`,
		`) GROUP BY organization_id`, orgIDs)
}

// countBy runs a "key, count" query over ids in chunks.
func (q Q) countBy(ctx context.Context, prefix, suffix string, ids []string) (map[string]int64, error) {
	out := make(map[string]int64, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		rows, err := q.q.QueryContext(ctx, prefix+sqldb.Placeholders(len(chunk))+suffix, sqldb.StringArgs(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("count: %w", err)
		}
		for rows.Next() {
			var id string
			var n int64
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("count: %w", err)
			}
			out[id] = n
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("count: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("count: %w", err)
		}
	}
	return out, nil
}

// GetDatasetsByID returns the stored datasets among ids, by id.
func (q Q) GetDatasetsByID(ctx context.Context, ids []string) (map[string]*catalogv1.Dataset, error) {
	out := make(map[string]*catalogv1.Dataset, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		rows, err := q.q.QueryContext(ctx, `SELECT doc FROM datasets WHERE id IN (`+sqldb.Placeholders(len(chunk))+`)`, sqldb.StringArgs(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("get datasets: %w", err)
		}
		for rows.Next() {
			var doc []byte
			if err := rows.Scan(&doc); err != nil {
				rows.Close()
				return nil, fmt.Errorf("get datasets: %w", err)
			}
			d := &catalogv1.Dataset{}
			if err := proto.Unmarshal(doc, d); err != nil {
				rows.Close()
				return nil, fmt.Errorf("get datasets: decode: %w", err)
			}
			out[d.GetId()] = d
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("get datasets: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("get datasets: %w", err)
		}
	}
	return out, nil
}

// ReuseSiteCounts counts the visible reuses (listed, with a dataset) and
// the live follows, for the site's metrics.
func (q Q) ReuseSiteCounts(ctx context.Context) (reuses, follows int64, err error) {
	err = q.q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM reuses WHERE listed = 1 AND datasets > 0), (SELECT count(*) FROM follows)`).
		Scan(&reuses, &follows)
	if err != nil {
		return 0, 0, fmt.Errorf("reuse site counts: %w", err)
	}
	return reuses, follows, nil
}
