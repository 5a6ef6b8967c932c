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

// Token is a stored API token (its hash, never its plaintext).
type Token struct {
	ID         string
	UserID     string
	Hash       string
	Prefix     string
	Name       *string
	Scopes     []string
	Kind       string
	UserAgents []string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
	ExpiresAt  time.Time
}

const tokenColumns = `id, user_id, hash, prefix, name, scopes, kind, user_agents, created_at, last_used_at, revoked_at, expires_at`

// InsertToken stores a new token.
func (q Q) InsertToken(ctx context.Context, t Token) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO api_tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.UserID, t.Hash, t.Prefix, t.Name, strings.Join(t.Scopes, ","), t.Kind, strings.Join(t.UserAgents, "\n"),
		t.CreatedAt.UnixMicro(), sqldb.TimeOf(t.LastUsedAt), sqldb.TimeOf(t.RevokedAt), sqldb.TimeOf(t.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert token %s: %w", t.ID, err)
	}
	return nil
}

// TokenByHash finds a token by the hash of its plaintext.
func (q Q) TokenByHash(ctx context.Context, hash string) (Token, error) {
	t, err := scanToken(q.q.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("token: %w", domain.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("get token: %w", err)
	}
	return t, nil
}

// TokenByID returns one token.
func (q Q) TokenByID(ctx context.Context, id string) (Token, error) {
	t, err := scanToken(q.q.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("token %s: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("get token %s: %w", id, err)
	}
	return t, nil
}

// TokensOfUser lists a user's tokens, oldest first.
func (q Q) TokensOfUser(ctx context.Context, userID string) ([]Token, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken sets revoked_at on a token not yet revoked.
func (q Q) RevokeToken(ctx context.Context, id string, at time.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, at.UnixMicro(), id)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoke token %s: %w", id, domain.ErrFailedPrecondition)
	}
	return nil
}

// TouchToken records the last use of a token.
func (q Q) TouchToken(ctx context.Context, id string, at time.Time) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		at.UnixMicro(), id, at.UnixMicro()); err != nil {
		return fmt.Errorf("touch token %s: %w", id, err)
	}
	return nil
}

func scanToken(s scanner) (Token, error) {
	var t Token
	var name sql.NullString
	var scopes, agents string
	var created int64
	var used, revoked, expires sqldb.Time
	if err := s.Scan(&t.ID, &t.UserID, &t.Hash, &t.Prefix, &name, &scopes, &t.Kind, &agents, &created, &used, &revoked, &expires); err != nil {
		return t, err
	}
	if name.Valid {
		t.Name = &name.String
	}
	if scopes != "" {
		t.Scopes = strings.Split(scopes, ",")
	}
	if agents != "" {
		t.UserAgents = strings.Split(agents, "\n")
	}
	t.CreatedAt = time.UnixMicro(created).UTC()
	t.LastUsedAt, t.RevokedAt, t.ExpiresAt = used.Time, revoked.Time, expires.Time
	return t, nil
}
