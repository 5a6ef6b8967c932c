package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/catalog/internal/domain"
)

// User is a stored user.
type User struct {
	ID           string
	Slug         string
	Email        string
	FirstName    string
	LastName     string
	Website      string
	About        string
	Avatar       string
	PasswordHash string
	Sysadmin     bool
	Active       bool
	CreatedAt    time.Time
	LastLoginAt  time.Time // zero = never
	DeletedAt    time.Time // zero = not deleted
}

const userColumns = `id, slug, email, first_name, last_name, website, about, avatar, password_hash, sysadmin, active,
	created_at, last_login_at, deleted_at`

// InsertUser stores a new user; a taken email or slug fails with
// domain.ErrAlreadyExists.
func (q Q) InsertUser(ctx context.Context, u User) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Slug, strings.ToLower(u.Email), u.FirstName, u.LastName, u.Website, u.About, u.Avatar, u.PasswordHash,
		boolInt(u.Sysadmin), boolInt(u.Active), u.CreatedAt.UnixMicro(), sqldb.TimeOf(u.LastLoginAt), sqldb.TimeOf(u.DeletedAt))
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("insert user %s: %w", u.Email, domain.ErrAlreadyExists)
		}
		return fmt.Errorf("insert user %s: %w", u.Email, err)
	}
	return nil
}

// UpdateUser saves a user's editable fields.
func (q Q) UpdateUser(ctx context.Context, u User) error {
	_, err := q.q.ExecContext(ctx, `UPDATE users SET slug = ?, email = ?, first_name = ?, last_name = ?, website = ?, about = ?,
		avatar = ?, sysadmin = ?, active = ? WHERE id = ?`,
		u.Slug, strings.ToLower(u.Email), u.FirstName, u.LastName, u.Website, u.About, u.Avatar, boolInt(u.Sysadmin), boolInt(u.Active), u.ID)
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("update user %s: %w", u.ID, domain.ErrAlreadyExists)
		}
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	return nil
}

// GetUser returns the user whose id, slug or email is ref.
func (q Q) GetUser(ctx context.Context, ref string) (User, error) {
	switch {
	case domain.IsObjectID(ref):
		return q.getUser(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, strings.ToLower(ref))
	case strings.Contains(ref, "@"):
		return q.getUser(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, strings.ToLower(ref))
	default:
		return q.getUser(ctx, `SELECT `+userColumns+` FROM users WHERE slug = ?`, ref)
	}
}

// GetUsersByID returns the users with these ids, keyed by id.
func (q Q) GetUsersByID(ctx context.Context, ids []string) (map[string]User, error) {
	out := make(map[string]User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE id IN (`+sqldb.Placeholders(len(ids))+`)`, sqldb.StringArgs(ids)...)
	if err != nil {
		return nil, fmt.Errorf("get users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("get users: %w", err)
		}
		out[u.ID] = u
	}
	return out, rows.Err()
}

// CountUsers counts users (the bootstrap rule: CreateUser is open while
// there are none).
func (q Q) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// UserSlugTaken reports whether slug is used by a user.
func (q Q) UserSlugTaken(ctx context.Context, slug string) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT 1 FROM users WHERE slug = ?`, slug).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("user slug %s: %w", slug, err)
	}
	return true, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanUser(s scanner) (User, error) {
	var u User
	var sysadmin, active int
	var created int64
	var lastLogin, deleted sqldb.Time
	if err := s.Scan(&u.ID, &u.Slug, &u.Email, &u.FirstName, &u.LastName, &u.Website, &u.About, &u.Avatar, &u.PasswordHash,
		&sysadmin, &active, &created, &lastLogin, &deleted); err != nil {
		return u, err
	}
	u.Sysadmin, u.Active = sysadmin != 0, active != 0
	u.CreatedAt = time.UnixMicro(created).UTC()
	u.LastLoginAt, u.DeletedAt = lastLogin.Time, deleted.Time
	return u, nil
}

func (q Q) getUser(ctx context.Context, query, arg string) (User, error) {
	u, err := scanUser(q.q.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("user %s: %w", arg, domain.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("get user %s: %w", arg, err)
	}
	return u, nil
}

// SetPasswordHash replaces a user's password hash.
func (q Q) SetPasswordHash(ctx context.Context, id, hash string) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id); err != nil {
		return fmt.Errorf("set password of %s: %w", id, err)
	}
	return nil
}

// TouchLogin records a user's sign-in time.
func (q Q) TouchLogin(ctx context.Context, id string, at time.Time) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, sqldb.TimeOf(at), id); err != nil {
		return fmt.Errorf("record sign-in of %s: %w", id, err)
	}
	return nil
}
