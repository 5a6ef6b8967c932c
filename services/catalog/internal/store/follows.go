package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// Object types one may follow.
const (
	FollowDataset      = "dataset"
	FollowOrganization = "organization"
	FollowReuse        = "reuse"
	FollowUser         = "user"
)

// followTables says where each followable object lives.
var followTables = map[string]string{
	FollowDataset:      "datasets",
	FollowOrganization: "organizations",
	FollowReuse:        "reuses",
	FollowUser:         "users",
}

// FollowRow is one live follow.
type FollowRow struct {
	ID, FollowerID string
	Since          time.Time
}

// FollowableExists reports whether an object of objectType has id (deleted
// ones too: udata looks objects up by id only).
func (q Q) FollowableExists(ctx context.Context, objectType, id string) (bool, error) {
	table, ok := followTables[objectType]
	if !ok {
		return false, fmt.Errorf("follow: unknown object type %q", objectType)
	}
	var one int
	switch err := q.q.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("follow: %w", err)
	}
	return true, nil
}

// AddFollow records that followerID follows the object; created is false
// when they did already.
func (q Q) AddFollow(ctx context.Context, objectType, objectID, followerID, id string, since time.Time) (bool, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO follows (id, object_type, object_id, follower_id, since) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (object_type, object_id, follower_id) DO NOTHING`, id, objectType, objectID, followerID, since.UnixMicro())
	if err != nil {
		return false, fmt.Errorf("follow %s %s: %w", objectType, objectID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("follow %s %s: %w", objectType, objectID, err)
	}
	return n > 0, nil
}

// RemoveFollow ends a follow; it reports false when there was none.
func (q Q) RemoveFollow(ctx context.Context, objectType, objectID, followerID string) (bool, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM follows WHERE object_type = ? AND object_id = ? AND follower_id = ?`,
		objectType, objectID, followerID)
	if err != nil {
		return false, fmt.Errorf("unfollow %s %s: %w", objectType, objectID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("unfollow %s %s: %w", objectType, objectID, err)
	}
	return n > 0, nil
}

// CountFollowers counts the live follows of objects of one type.
func (q Q) CountFollowers(ctx context.Context, objectType string, ids []string) (map[string]int64, error) {
	if len(ids) == 0 {
		return map[string]int64{}, nil
	}
	return q.countBy(ctx, `SELECT object_id, count(*) FROM follows WHERE object_type = '`+followType(objectType)+`' AND object_id IN (`,
		`) GROUP BY object_id`, ids)
}

// followType returns objectType when it is a known type, so that it may
// be written into a query; "" otherwise (which matches no row).
func followType(objectType string) string {
	if _, ok := followTables[objectType]; ok {
		return objectType
	}
	return ""
}

// FollowersByMonth counts the live follows of objects of one type by the
// month ("YYYY-MM", UTC) they started, by object id.
func (q Q) FollowersByMonth(ctx context.Context, objectType string, ids []string) (map[string]map[string]int64, error) {
	out := make(map[string]map[string]int64, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		if err := q.followersByMonth(ctx, objectType, chunk, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (q Q) followersByMonth(ctx context.Context, objectType string, ids []string, out map[string]map[string]int64) error {
	rows, err := q.q.QueryContext(ctx, `SELECT object_id, since FROM follows WHERE object_type = ? AND object_id IN (`+
		sqldb.Placeholders(len(ids))+`)`, append([]any{objectType}, sqldb.StringArgs(ids)...)...)
	if err != nil {
		return fmt.Errorf("followers by month: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var us int64
		if err := rows.Scan(&id, &us); err != nil {
			return fmt.Errorf("followers by month: %w", err)
		}
		if out[id] == nil {
			out[id] = map[string]int64{}
		}
		out[id][time.UnixMicro(us).UTC().Format("2006-01")]++
	}
	return rows.Err()
}

// ListFollows returns a page of the live follows of an object, oldest
// first, narrowed to one follower when followerID is set, and their total.
func (q Q) ListFollows(ctx context.Context, objectType, objectID, followerID string, limit, offset int) ([]FollowRow, int64, error) {
	where := `object_type = ? AND object_id = ?`
	args := []any{objectType, objectID}
	if followerID != "" {
		where += ` AND follower_id = ?`
		args = append(args, followerID)
	}
	var total int64
	if err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM follows WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list follows: %w", err)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, follower_id, since FROM follows WHERE `+where+
		` ORDER BY since, id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list follows: %w", err)
	}
	defer rows.Close()
	var out []FollowRow
	for rows.Next() {
		var f FollowRow
		var us int64
		if err := rows.Scan(&f.ID, &f.FollowerID, &us); err != nil {
			return nil, 0, fmt.Errorf("list follows: %w", err)
		}
		f.Since = time.UnixMicro(us).UTC()
		out = append(out, f)
	}
	return out, total, rows.Err()
}

// UserFollowCounts counts a user's listed reuses, their followers and the
// objects they follow.
func (q Q) UserFollowCounts(ctx context.Context, userID string) (reuses, followers, following int64, err error) {
	err = q.q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM reuses WHERE owner_id = ? AND listed = 1 AND datasets > 0),
		(SELECT count(*) FROM follows WHERE object_type = 'user' AND object_id = ?),
		(SELECT count(*) FROM follows WHERE follower_id = ?)`, userID, userID, userID).Scan(&reuses, &followers, &following)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("user follow counts: %w", err)
	}
	return reuses, followers, following, nil
}
