package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Slug kinds of slug_history.
const (
	KindDataset      = "dataset"
	KindOrganization = "organization"
	KindUser         = "user"
	KindReuse        = "reuse"
)

var slugTables = map[string]string{KindDataset: "datasets", KindOrganization: "organizations", KindUser: "users", KindReuse: "reuses"}

// SlugTaken reports whether slug is the current slug of another object of
// kind than exceptID.
func (q Q) SlugTaken(ctx context.Context, kind, slug, exceptID string) (bool, error) {
	table, ok := slugTables[kind]
	if !ok {
		return false, fmt.Errorf("slug taken: unknown kind %q", kind)
	}
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE slug = ? AND id <> ?`, slug, exceptID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("slug taken %s %s: %w", kind, slug, err)
	}
	return true, nil
}

// RecordSlugChange keeps oldSlug as a redirect to targetID, points the
// redirects of oldSlug's predecessors at it too (they share the target), and
// drops a redirect from newSlug (the new slug now answers directly).
func (q Q) RecordSlugChange(ctx context.Context, kind, oldSlug, newSlug, targetID string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM slug_history WHERE kind = ? AND slug = ?`, kind, newSlug); err != nil {
		return fmt.Errorf("record slug change %s: %w", oldSlug, err)
	}
	if oldSlug == "" || oldSlug == newSlug {
		return nil
	}
	if _, err := q.q.ExecContext(ctx, `INSERT INTO slug_history (kind, slug, target_id) VALUES (?, ?, ?)
		ON CONFLICT (kind, slug) DO UPDATE SET target_id = excluded.target_id`, kind, oldSlug, targetID); err != nil {
		return fmt.Errorf("record slug change %s: %w", oldSlug, err)
	}
	return nil
}

// ResolveOldSlug returns the id an old slug now points to, or "" when slug
// is no old slug.
func (q Q) ResolveOldSlug(ctx context.Context, kind, slug string) (string, error) {
	var id string
	err := q.q.QueryRowContext(ctx, `SELECT target_id FROM slug_history WHERE kind = ? AND slug = ?`, kind, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("resolve old slug %s: %w", slug, err)
	}
	return id, nil
}
