package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relais-data/relais/services/catalog/internal/domain"
)

// Member is a user's role in an organization.
type Member struct {
	OrganizationID string
	UserID         string
	Role           string
	Since          time.Time
}

// PutMember adds a member; it fails with domain.ErrAlreadyExists when the
// user already is one.
func (q Q) PutMember(ctx context.Context, m Member) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO members (organization_id, user_id, role, since) VALUES (?, ?, ?, ?)`,
		m.OrganizationID, m.UserID, m.Role, m.Since.UnixMicro())
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("add member %s to %s: %w", m.UserID, m.OrganizationID, domain.ErrAlreadyExists)
		}
		return fmt.Errorf("add member %s to %s: %w", m.UserID, m.OrganizationID, err)
	}
	return nil
}

// UpdateMemberRole changes a member's role.
func (q Q) UpdateMemberRole(ctx context.Context, orgID, userID, role string) error {
	res, err := q.q.ExecContext(ctx, `UPDATE members SET role = ? WHERE organization_id = ? AND user_id = ?`, role, orgID, userID)
	if err != nil {
		return fmt.Errorf("update member %s of %s: %w", userID, orgID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("member %s of %s: %w", userID, orgID, domain.ErrNotFound)
	}
	return nil
}

// RemoveMember removes a member.
func (q Q) RemoveMember(ctx context.Context, orgID, userID string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM members WHERE organization_id = ? AND user_id = ?`, orgID, userID)
	if err != nil {
		return fmt.Errorf("remove member %s of %s: %w", userID, orgID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("member %s of %s: %w", userID, orgID, domain.ErrNotFound)
	}
	return nil
}

// Members lists an organization's members, oldest first.
func (q Q) Members(ctx context.Context, orgID string) ([]Member, error) {
	return q.members(ctx, `SELECT organization_id, user_id, role, since FROM members WHERE organization_id = ? ORDER BY since, user_id`, orgID)
}

// Memberships lists a user's memberships.
func (q Q) Memberships(ctx context.Context, userID string) ([]Member, error) {
	return q.members(ctx, `SELECT organization_id, user_id, role, since FROM members WHERE user_id = ? ORDER BY since, organization_id`, userID)
}

// LiveMemberships lists a user's memberships of organizations that are not
// deleted: the organizations a user's profile shows (udata leaves deleted
// ones out), while Memberships still grants what a member may do.
func (q Q) LiveMemberships(ctx context.Context, userID string) ([]Member, error) {
	return q.members(ctx, `SELECT m.organization_id, m.user_id, m.role, m.since FROM members m
		JOIN organizations o ON o.id = m.organization_id
		WHERE m.user_id = ? AND o.deleted_at IS NULL ORDER BY m.since, m.organization_id`, userID)
}

// GetMember returns one membership.
func (q Q) GetMember(ctx context.Context, orgID, userID string) (Member, error) {
	var m Member
	var since int64
	err := q.q.QueryRowContext(ctx, `SELECT organization_id, user_id, role, since FROM members WHERE organization_id = ? AND user_id = ?`,
		orgID, userID).Scan(&m.OrganizationID, &m.UserID, &m.Role, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("member %s of %s: %w", userID, orgID, domain.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("get member %s of %s: %w", userID, orgID, err)
	}
	m.Since = time.UnixMicro(since).UTC()
	return m, nil
}

func (q Q) members(ctx context.Context, query string, arg string) ([]Member, error) {
	rows, err := q.q.QueryContext(ctx, query, arg)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var since int64
		if err := rows.Scan(&m.OrganizationID, &m.UserID, &m.Role, &since); err != nil {
			return nil, fmt.Errorf("list members: %w", err)
		}
		m.Since = time.UnixMicro(since).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}
