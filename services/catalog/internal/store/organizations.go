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

// orgSearchText is the folded text an organization's q matches.
func orgSearchText(o *catalogv1.Organization) string {
	return domain.FoldText(o.GetName() + " " + o.GetAcronym() + " " + o.GetDescription())
}

// InsertOrganization stores a new organization (members, metrics and
// permissions are not part of the document).
func (q Q) InsertOrganization(ctx context.Context, o *catalogv1.Organization) error {
	doc, err := marshalOrg(o)
	if err != nil {
		return err
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO organizations (id, slug, name_lower, business_number_id, created_at, last_modified,
		deleted_at, q, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.GetId(), o.GetSlug(), strings.ToLower(o.GetName()), o.GetBusinessNumberId(),
		o.GetCreatedAt().AsTime().UnixMicro(), o.GetLastModified().AsTime().UnixMicro(), deletedMicros(o), orgSearchText(o), doc)
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("insert organization %s: %w", o.GetId(), domain.ErrAlreadyExists)
		}
		return fmt.Errorf("insert organization %s: %w", o.GetId(), err)
	}
	return nil
}

// UpdateOrganization replaces a stored organization.
func (q Q) UpdateOrganization(ctx context.Context, o *catalogv1.Organization) error {
	doc, err := marshalOrg(o)
	if err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE organizations SET slug = ?, name_lower = ?, business_number_id = ?, created_at = ?,
		last_modified = ?, deleted_at = ?, q = ?, doc = ? WHERE id = ?`,
		o.GetSlug(), strings.ToLower(o.GetName()), o.GetBusinessNumberId(), o.GetCreatedAt().AsTime().UnixMicro(),
		o.GetLastModified().AsTime().UnixMicro(), deletedMicros(o), orgSearchText(o), doc, o.GetId())
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("update organization %s: %w", o.GetId(), domain.ErrAlreadyExists)
		}
		return fmt.Errorf("update organization %s: %w", o.GetId(), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update organization %s: %w", o.GetId(), domain.ErrNotFound)
	}
	return nil
}

func deletedMicros(o *catalogv1.Organization) any {
	if o.Deleted == nil {
		return nil
	}
	return o.GetDeleted().AsTime().UnixMicro()
}

func marshalOrg(o *catalogv1.Organization) ([]byte, error) {
	c := proto.CloneOf(o)
	c.Members, c.Metrics, c.Permissions = nil, nil, nil
	doc, err := proto.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode organization %s: %w", o.GetId(), err)
	}
	return doc, nil
}

// GetOrganization returns the organization whose id or slug is ref
// (deleted ones included), or an error wrapping domain.ErrNotFound.
func (q Q) GetOrganization(ctx context.Context, ref string) (*catalogv1.Organization, error) {
	var row *sql.Row
	if domain.IsObjectID(ref) {
		row = q.q.QueryRowContext(ctx, `SELECT doc FROM organizations WHERE id = ? UNION ALL SELECT doc FROM organizations WHERE slug = ? LIMIT 1`, strings.ToLower(ref), ref)
	} else {
		row = q.q.QueryRowContext(ctx, `SELECT doc FROM organizations WHERE slug = ?`, ref)
	}
	var doc []byte
	if err := row.Scan(&doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("organization %s: %w", ref, domain.ErrNotFound)
		}
		return nil, fmt.Errorf("get organization %s: %w", ref, err)
	}
	o := &catalogv1.Organization{}
	if err := proto.Unmarshal(doc, o); err != nil {
		return nil, fmt.Errorf("decode organization %s: %w", ref, err)
	}
	return o, nil
}

// GetOrganizationsByID returns the organizations with these ids (deleted
// ones included), keyed by id.
func (q Q) GetOrganizationsByID(ctx context.Context, ids []string) (map[string]*catalogv1.Organization, error) {
	out := make(map[string]*catalogv1.Organization, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.q.QueryContext(ctx, `SELECT doc FROM organizations WHERE id IN (`+sqldb.Placeholders(len(ids))+`)`, sqldb.StringArgs(ids)...)
	if err != nil {
		return nil, fmt.Errorf("get organizations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("get organizations: %w", err)
		}
		o := &catalogv1.Organization{}
		if err := proto.Unmarshal(doc, o); err != nil {
			return nil, fmt.Errorf("decode organization: %w", err)
		}
		out[o.GetId()] = o
	}
	return out, rows.Err()
}

// OrganizationFilter selects organizations for a list page (deleted ones
// are never listed).
type OrganizationFilter struct {
	Words            []string
	Badge            string
	Name             string // exact, case-insensitive
	BusinessNumberID string
	// IDs, when set, narrows the list to these organizations.
	IDs []string
}

func (f OrganizationFilter) where() (string, []any) {
	conds := []string{"deleted_at IS NULL"}
	var args []any
	if len(f.IDs) > 0 {
		conds = append(conds, "id IN ("+sqldb.Placeholders(len(f.IDs))+")")
		args = append(args, sqldb.StringArgs(f.IDs)...)
	}
	for _, w := range f.Words {
		conds = append(conds, "q LIKE ?")
		args = append(args, "%"+escapeLike(w)+"%")
	}
	if f.Name != "" {
		conds = append(conds, "name_lower = ?")
		args = append(args, strings.ToLower(f.Name))
	}
	if f.BusinessNumberID != "" {
		conds = append(conds, "business_number_id = ?")
		args = append(args, f.BusinessNumberID)
	}
	return strings.Join(conds, " AND "), args
}

// ListOrganizations returns a page of organizations sorted by sortCol
// (created_at, last_modified, name_lower, or the live counts reuses and
// followers) and the total. Badge filtering happens on the documents.
func (q Q) ListOrganizations(ctx context.Context, f OrganizationFilter, sortCol string, desc bool, limit, offset int) ([]*catalogv1.Organization, int64, error) {
	where, args := f.where()
	switch sortCol {
	case "created_at", "last_modified", "name_lower":
	case "reuses":
		sortCol = "(SELECT count(*) FROM reuses r WHERE r.organization_id = organizations.id AND r.listed = 1 AND r.datasets > 0)"
	case "followers":
		sortCol = "(SELECT count(*) FROM follows fo WHERE fo.object_type = 'organization' AND fo.object_id = organizations.id)"
	default:
		sortCol = "created_at"
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	all := f.Badge != ""
	query := "SELECT doc FROM organizations WHERE " + where + " ORDER BY " + sortCol + " " + dir + ", id " + dir
	qargs := args
	if !all {
		query += " LIMIT ? OFFSET ?"
		qargs = append(append([]any{}, args...), limit, offset)
	}
	rows, err := q.q.QueryContext(ctx, query, qargs...)
	if err != nil {
		return nil, 0, fmt.Errorf("list organizations: %w", err)
	}
	defer rows.Close()
	var out []*catalogv1.Organization
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, 0, fmt.Errorf("list organizations: %w", err)
		}
		o := &catalogv1.Organization{}
		if err := proto.Unmarshal(doc, o); err != nil {
			return nil, 0, fmt.Errorf("decode organization: %w", err)
		}
		if all && !hasBadge(o.GetBadges(), f.Badge) {
			continue
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list organizations: %w", err)
	}
	if all {
		total := int64(len(out))
		if offset >= len(out) {
			return nil, total, nil
		}
		return out[offset:min(len(out), offset+limit)], total, nil
	}
	var total int64
	if err := q.q.QueryRowContext(ctx, "SELECT count(*) FROM organizations WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count organizations: %w", err)
	}
	return out, total, nil
}

func hasBadge(badges []*catalogv1.Badge, kind string) bool {
	for _, b := range badges {
		if b.GetKind() == kind {
			return true
		}
	}
	return false
}

// OrganizationExists reports whether an organization with this id exists.
func (q Q) OrganizationExists(ctx context.Context, id string) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT 1 FROM organizations WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("organization %s exists: %w", id, err)
	}
	return true, nil
}

// SiteCounts are whole-catalog counters.
type SiteCounts struct {
	Organizations, Resources, Users int64
}

// SiteCounts counts live organizations, resources of listed datasets and
// users.
func (q Q) SiteCounts(ctx context.Context) (SiteCounts, error) {
	var c SiteCounts
	err := q.q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM organizations WHERE deleted_at IS NULL),
		(SELECT count(*) FROM resources r JOIN datasets d ON d.id = r.dataset_id WHERE d.listed = 1),
		(SELECT count(*) FROM users WHERE deleted_at IS NULL)`).Scan(&c.Organizations, &c.Resources, &c.Users)
	if err != nil {
		return c, fmt.Errorf("site counts: %w", err)
	}
	return c, nil
}
