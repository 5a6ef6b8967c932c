package app

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// TokenKind is the kind of every token (udata's "api_key").
const TokenKind = "api_key"

// ListAPITokens lists the caller's tokens.
func (s *Service) ListAPITokens(ctx context.Context) ([]*catalogv1.ApiToken, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.TokensOfUser(ctx, caller.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]*catalogv1.ApiToken, 0, len(ts))
	for _, t := range ts {
		out = append(out, tokenProto(t))
	}
	return out, nil
}

// CreateAPIToken creates a token for the caller and returns it with its
// plaintext (shown once).
func (s *Service) CreateAPIToken(ctx context.Context, name *string, scopes []string, expiresAt *timestamppb.Timestamp) (*catalogv1.ApiToken, string, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return nil, "", err
	}
	now := s.nowUTC()
	var exp *time.Time
	if expiresAt != nil {
		t := expiresAt.AsTime()
		if !t.After(now) {
			return nil, "", domain.Invalid("expires_at", "Expiration date must be in the future")
		}
		exp = &t
	}
	var tok store.Token
	var plaintext string
	err = s.commit(ctx, func(q store.Q) error {
		tok, plaintext, err = s.insertToken(ctx, q, caller.UserID, name, scopes, exp, now)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return tokenProto(tok), plaintext, nil
}

func (s *Service) insertToken(ctx context.Context, q store.Q, userID string, name *string, scopes []string, exp *time.Time, now time.Time) (store.Token, string, error) {
	plaintext := newPlaintextToken()
	if len(scopes) == 0 {
		scopes = []string{"admin"}
	}
	t := store.Token{
		ID:        domain.NewObjectID(now),
		UserID:    userID,
		Hash:      s.hashToken(plaintext),
		Prefix:    plaintext[:tokenPrefixShown],
		Name:      name,
		Scopes:    scopes,
		Kind:      TokenKind,
		CreatedAt: now,
	}
	if exp != nil {
		t.ExpiresAt = exp.UTC().Truncate(time.Microsecond)
	}
	if err := q.InsertToken(ctx, t); err != nil {
		return t, "", err
	}
	return t, plaintext, nil
}

// RevokeAPIToken revokes one of the caller's tokens. Revoking it again
// fails with ErrFailedPrecondition (HTTP 410).
func (s *Service) RevokeAPIToken(ctx context.Context, id string) error {
	caller, err := requireCaller(ctx)
	if err != nil {
		return err
	}
	err = s.commit(ctx, func(q store.Q) error {
		t, err := q.TokenByID(ctx, id)
		if err != nil {
			return err
		}
		if t.UserID != caller.UserID && !caller.Sysadmin {
			return fmt.Errorf("token %s: %w", id, domain.ErrNotFound)
		}
		return q.RevokeToken(ctx, id, s.nowUTC())
	})
	if err != nil {
		return err
	}
	s.auth.forget(func(e authEntry) bool { return e.tokenID == id })
	return nil
}

func tokenProto(t store.Token) *catalogv1.ApiToken {
	scopes := t.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return &catalogv1.ApiToken{
		Id:          t.ID,
		TokenPrefix: t.Prefix,
		Name:        t.Name,
		Scopes:      scopes,
		Kind:        t.Kind,
		CreatedAt:   timestamppb.New(t.CreatedAt),
		LastUsedAt:  timeOrNil(t.LastUsedAt),
		UserAgents:  t.UserAgents,
		RevokedAt:   timeOrNil(t.RevokedAt),
		ExpiresAt:   timeOrNil(t.ExpiresAt),
	}
}
