package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// GetMe returns the calling user.
func (s *Service) GetMe(ctx context.Context) (*catalogv1.User, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.store.GetUser(ctx, caller.UserID)
	if err != nil {
		return nil, err
	}
	return s.userProto(ctx, u, caller)
}

// UpdateMe changes the caller's first_name, last_name, website, about or
// email (the paths of mask; nil = all five).
func (s *Service) UpdateMe(ctx context.Context, in *catalogv1.User, mask []string) (*catalogv1.User, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return nil, err
	}
	if mask == nil {
		mask = []string{"first_name", "last_name", "website", "about", "email"}
	}
	var u store.User
	err = s.commit(ctx, func(q store.Q) error {
		if u, err = q.GetUser(ctx, caller.UserID); err != nil {
			return err
		}
		var v domain.Violations
		for _, p := range mask {
			switch p {
			case "first_name":
				domain.CheckText(&v, p, in.GetFirstName(), true, 255)
				u.FirstName = in.GetFirstName()
			case "last_name":
				domain.CheckText(&v, p, in.GetLastName(), true, 255)
				u.LastName = in.GetLastName()
			case "website":
				domain.CheckOptionalURL(&v, p, in.GetWebsite())
				u.Website = in.GetWebsite()
			case "about":
				u.About = in.GetAbout()
			case "email":
				if !validEmail(in.GetEmail()) {
					v.Add(p, "Invalid email address.")
				}
				u.Email = in.GetEmail()
			default:
				v.Add(p, "Unknown field")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		return q.UpdateUser(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	s.refs.forgetUser(u.ID)
	return s.userProto(ctx, u, caller)
}

// CreateUser creates a user, optionally with an API token returned in
// clear. Sysadmins only — except while the catalog has no user at all, so
// that the first administrator can be created (bootstrap).
func (s *Service) CreateUser(ctx context.Context, req *catalogv1.CreateUserRequest) (*catalogv1.User, string, error) {
	caller := CallerFrom(ctx)
	var v domain.Violations
	email := strings.TrimSpace(req.GetEmail())
	if !validEmail(email) {
		v.Add("email", "Invalid email address.")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	now := s.nowUTC()
	u := store.User{
		ID:        domain.NewObjectID(now),
		Email:     strings.ToLower(email),
		FirstName: req.GetFirstName(),
		LastName:  req.GetLastName(),
		Sysadmin:  req.GetSysadmin(),
		Active:    true,
		CreatedAt: now,
	}
	if req.GetPassword() != "" {
		if err := validPassword(req.GetPassword()); err != nil {
			return nil, "", err
		}
		u.PasswordHash = hashPassword(req.GetPassword())
	}
	var plaintext string
	err := s.commit(ctx, func(q store.Q) error {
		if !caller.Sysadmin {
			n, err := q.CountUsers(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				if caller.Anonymous() {
					return domain.ErrAuthRequired
				}
				return fmt.Errorf("create user: %w", domain.ErrPermissionDenied)
			}
		}
		base := domain.Slugify(strings.TrimSpace(u.FirstName+" "+u.LastName), domain.MaxSlugLength)
		if base == "" {
			base = domain.Slugify(strings.SplitN(u.Email, "@", 2)[0], domain.MaxSlugLength)
		}
		slug, err := uniqueSlug(ctx, q, store.KindUser, base, u.ID)
		if err != nil {
			return err
		}
		u.Slug = slug
		if err := q.InsertUser(ctx, u); err != nil {
			if errors.Is(err, domain.ErrAlreadyExists) {
				return domain.Invalid("email", "This email is already in use")
			}
			return err
		}
		if req.GetWithApiToken() {
			_, plaintext, err = s.insertToken(ctx, q, u.ID, nil, nil, nil, now)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	pu, err := s.userProto(ctx, u, domain.Caller{UserID: u.ID, Sysadmin: true})
	return pu, plaintext, err
}

// EnsureUserToken returns a fresh API token for the user with this email,
// creating the user (sysadmin when asked) if needed; an existing user is
// promoted to sysadmin when sysadmin is set. It runs without a caller:
// it is the `relais admin create-user` path.
func (s *Service) EnsureUserToken(ctx context.Context, email, firstName, lastName string, sysadmin bool) (*catalogv1.User, string, error) {
	system := WithCaller(ctx, domain.Caller{UserID: "system", Sysadmin: true})
	u, err := s.store.GetUser(ctx, strings.ToLower(strings.TrimSpace(email)))
	if errors.Is(err, domain.ErrNotFound) || (err == nil && !strings.Contains(email, "@")) {
		return s.CreateUser(system, &catalogv1.CreateUserRequest{Email: email, FirstName: firstName, LastName: lastName, Sysadmin: sysadmin, WithApiToken: true})
	}
	if err != nil {
		return nil, "", err
	}
	var plaintext string
	err = s.commit(ctx, func(q store.Q) error {
		if sysadmin && !u.Sysadmin {
			u.Sysadmin = true
			if err := q.UpdateUser(ctx, u); err != nil {
				return err
			}
		}
		_, plaintext, err = s.insertToken(ctx, q, u.ID, nil, nil, nil, s.nowUTC())
		return err
	})
	if err != nil {
		return nil, "", err
	}
	s.auth.forgetUser(u.ID)
	pu, err := s.userProto(ctx, u, domain.Caller{UserID: u.ID, Sysadmin: true})
	return pu, plaintext, err
}

// GetUser returns a user by id or slug; inactive or deleted users are
// ErrDeleted (HTTP 410).
func (s *Service) GetUser(ctx context.Context, ref string) (*catalogv1.User, error) {
	u, err := s.store.GetUser(ctx, ref)
	if err != nil {
		return nil, err
	}
	if !u.Active || !u.DeletedAt.IsZero() {
		return nil, fmt.Errorf("user %s: %w", ref, domain.ErrDeleted)
	}
	return s.userProto(ctx, u, CallerFrom(ctx))
}

func (s *Service) userProto(ctx context.Context, u store.User, caller domain.Caller) (*catalogv1.User, error) {
	p := &catalogv1.User{
		Id:        u.ID,
		Slug:      u.Slug,
		FirstName: u.FirstName,
		LastName:  u.LastName,
		Active:    u.Active,
		Since:     timestamppb.New(u.CreatedAt),
		Roles:     []string{},
		Metrics:   &catalogv1.UserMetrics{},
	}
	self := caller.UserID == u.ID || caller.Sysadmin
	if self {
		p.Email = &u.Email
		if !u.LastLoginAt.IsZero() {
			p.LastLoginAt = timestamppb.New(u.LastLoginAt)
		}
	}
	if u.Avatar != "" {
		p.Avatar, p.AvatarThumbnail = &u.Avatar, &u.Avatar
	}
	if u.Website != "" {
		p.Website = &u.Website
	}
	if u.About != "" {
		p.About = &u.About
	}
	if u.Sysadmin {
		p.Roles = append(p.Roles, "admin")
	}
	if !u.DeletedAt.IsZero() {
		p.Deleted = timestamppb.New(u.DeletedAt)
	}
	ms, err := s.store.LiveMemberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.OrganizationID)
	}
	refs, err := s.refs.orgRefs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if r, ok := refs[id]; ok {
			p.Organizations = append(p.Organizations, r)
		}
	}
	n, err := s.store.CountDatasets(ctx, store.DatasetFilter{OwnerID: u.ID})
	if err != nil {
		return nil, err
	}
	p.Metrics.Datasets = n
	if p.Metrics.Reuses, p.Metrics.Followers, p.Metrics.Following, err = s.store.UserFollowCounts(ctx, u.ID); err != nil {
		return nil, err
	}
	return p, nil
}

func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n") && strings.Contains(s[at:], ".")
}

func timeOrNil(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
