package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// memberChange runs fn on a live organization the caller administers,
// then publishes organization.updated.
func (s *Service) memberChange(ctx context.Context, orgRef string, fn func(q store.Q, o *catalogv1.Organization) error) error {
	caller, err := requireCaller(ctx)
	if err != nil {
		return err
	}
	return s.commit(ctx, func(q store.Q) error {
		o, _, err := s.resolveOrganization(ctx, q, orgRef)
		if err != nil {
			return err
		}
		if o.Deleted != nil {
			return fmt.Errorf("organization %s: %w", orgRef, domain.ErrDeleted)
		}
		if !caller.CanManageMembers(o.GetId()) {
			return fmt.Errorf("members of %s: %w", orgRef, domain.ErrPermissionDenied)
		}
		if err := fn(q, o); err != nil {
			return err
		}
		return s.organizationSnapshotEvent(ctx, q, Updated, caller.UserID, o, s.nowUTC())
	})
}

// udata's answers to a bad invitation (MemberInviteAPI), field errors.
const (
	MsgUserAndEmail    = "Cannot provide both user and email"
	MsgUserOrEmail     = "Either user or email is required"
	MsgAlreadyMember   = "User is already a member"
	msgUnknownUserFmt  = "Unknown user '%s'"
	msgUnknownEmailFmt = "No user has the email '%s': Relais adds existing users only"
)

// AddMember adds a user (by id or email) with a role (editor when empty),
// answering bad invitations with udata's field errors.
func (s *Service) AddMember(ctx context.Context, orgRef, userRef, email, role string) (*catalogv1.Member, error) {
	if role == "" {
		role = domain.RoleEditor // udata's DEFAULT_ROLE
	}
	var m *catalogv1.Member
	var userID string
	err := s.memberChange(ctx, orgRef, func(q store.Q, o *catalogv1.Organization) error {
		switch { // after the permission check, as udata validates
		case !domain.IsRole(role):
			return domain.Invalid("role", domain.MsgNotAChoice)
		case userRef != "" && email != "":
			return domain.Invalid("user", MsgUserAndEmail)
		case userRef == "" && email == "":
			return domain.Invalid("user", MsgUserOrEmail)
		}
		field, ref, unknown := "user", userRef, msgUnknownUserFmt
		if ref == "" {
			field, ref, unknown = "email", strings.ToLower(strings.TrimSpace(email)), msgUnknownEmailFmt
		}
		u, err := q.GetUser(ctx, ref)
		if isNotFound(err) {
			return domain.Invalid(field, fmt.Sprintf(unknown, ref))
		}
		if err != nil {
			return err
		}
		userID = u.ID
		if _, err := q.GetMember(ctx, o.GetId(), u.ID); err == nil {
			return domain.Invalid("user", MsgAlreadyMember)
		} else if !isNotFound(err) {
			return err
		}
		now := s.nowUTC()
		if err := q.PutMember(ctx, store.Member{OrganizationID: o.GetId(), UserID: u.ID, Role: role, Since: now}); err != nil {
			return err
		}
		m = memberProto(u, role, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.auth.forgetUser(userID)
	return m, nil
}

// UpdateMember changes a member's role.
func (s *Service) UpdateMember(ctx context.Context, orgRef, userRef, role string) (*catalogv1.Member, error) {
	if !domain.IsRole(role) {
		return nil, domain.Invalid("role", domain.MsgNotAChoice)
	}
	var m *catalogv1.Member
	var userID string
	err := s.memberChange(ctx, orgRef, func(q store.Q, o *catalogv1.Organization) error {
		u, err := q.GetUser(ctx, userRef)
		if err != nil {
			return err
		}
		userID = u.ID
		if err := q.UpdateMemberRole(ctx, o.GetId(), u.ID, role); err != nil {
			return err
		}
		cur, err := q.GetMember(ctx, o.GetId(), u.ID)
		if err != nil {
			return err
		}
		m = memberProto(u, role, cur.Since)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.auth.forgetUser(userID)
	return m, nil
}

// RemoveMember removes a member.
func (s *Service) RemoveMember(ctx context.Context, orgRef, userRef string) error {
	var userID string
	err := s.memberChange(ctx, orgRef, func(q store.Q, o *catalogv1.Organization) error {
		u, err := q.GetUser(ctx, userRef)
		if err != nil {
			return err
		}
		userID = u.ID
		return q.RemoveMember(ctx, o.GetId(), u.ID)
	})
	if err != nil {
		return err
	}
	s.auth.forgetUser(userID)
	return nil
}

func memberProto(u store.User, role string, since time.Time) *catalogv1.Member {
	email := u.Email
	return &catalogv1.Member{
		User:  userRef(u),
		Email: &email,
		Role:  role,
		Since: timestamppb.New(since),
	}
}
