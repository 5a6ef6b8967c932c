package app

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// Argon2id costs: OWASP's second recommended set (19 MiB, 2 passes, 1
// lane), about 70 ms a check here.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// Password lengths accepted: 12 characters at least (ANSSI's advice for a
// password alone), 256 bytes at most (argon2 hashes whatever it is given,
// but a megabyte password is a denial of service, not a password).
const (
	minPasswordRunes = 12
	maxPasswordBytes = 256
)

// maxSessionTTL bounds the session tokens SignIn issues.
const maxSessionTTL = 7 * 24 * time.Hour

// SessionTokenName names the tokens SignIn issues, so that a user's token
// list tells them apart.
const SessionTokenName = "Session du portail"

// ErrBadCredentials is SignIn's one answer for an unknown email, a user
// without password, an inactive user and a wrong password alike.
var ErrBadCredentials = &domain.AuthError{Message: "Invalid email or password"}

// hashPassword returns the argon2id hash of pw in the PHC string format
// ("$argon2id$v=19$m=…,t=…,p=…$salt$key", unpadded base64).
func hashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

// checkPassword reports whether pw matches hash, an argon2id PHC string or
// the "pbkdf2-sha256$iterations$salt$key" hashes stored before argon2id
// (upgraded at the next sign-in). A malformed hash matches nothing.
func checkPassword(hash, pw string) (ok, legacy bool) {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		return checkArgon2id(hash, pw), false
	case strings.HasPrefix(hash, "pbkdf2-sha256$"):
		return checkPBKDF2(hash, pw), true
	}
	return false, false
}

func checkArgon2id(hash, pw string) bool {
	parts := strings.Split(hash, "$") // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || t == 0 || p == 0 || m > 64*1024 || t > 8 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

func checkPBKDF2(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter <= 0 || iter > 10_000_000 {
		return false
	}
	salt, err1 := base64.RawURLEncoding.DecodeString(parts[2])
	key, err2 := base64.RawURLEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 64 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pw, salt, iter, len(key))
	return err == nil && subtle.ConstantTimeCompare(got, key) == 1
}

// dummyHash is checked against when no user matches, so that an unknown
// email takes as long as a wrong password.
var dummyHash = hashPassword("relais: no such user")

// validPassword says what is wrong with a new password, or nil.
func validPassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return domain.Invalid("password", "Password must be valid UTF-8")
	case utf8.RuneCountInString(pw) < minPasswordRunes:
		return domain.Invalid("password", fmt.Sprintf("Password must be at least %d characters long", minPasswordRunes))
	case len(pw) > maxPasswordBytes:
		return domain.Invalid("password", fmt.Sprintf("Password must be at most %d bytes long", maxPasswordBytes))
	}
	return nil
}

// SignIn checks email and password and issues a session token living ttl,
// named SessionTokenName. Every failure is ErrBadCredentials, after the
// same work, so that it does not tell which accounts exist. Rate limiting
// is the caller's (the gateway's) business: it sees the client.
func (s *Service) SignIn(ctx context.Context, email, pw string, ttl time.Duration) (*catalogv1.User, store.Token, string, error) {
	if ttl <= 0 || ttl > maxSessionTTL {
		return nil, store.Token{}, "", domain.Invalid("session_ttl", "Session lifetime must be between 1 second and 7 days")
	}
	if len(pw) > maxPasswordBytes || len(email) > 320 {
		return nil, store.Token{}, "", ErrBadCredentials
	}
	u, err := s.store.GetUser(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return nil, store.Token{}, "", err
	}
	if err != nil || !strings.Contains(email, "@") || u.PasswordHash == "" {
		checkPassword(dummyHash, pw)
		return nil, store.Token{}, "", ErrBadCredentials
	}
	ok, legacy := checkPassword(u.PasswordHash, pw)
	if !ok || !u.Active || !u.DeletedAt.IsZero() {
		return nil, store.Token{}, "", ErrBadCredentials
	}
	now := s.nowUTC()
	exp := now.Add(ttl)
	name := SessionTokenName
	var tok store.Token
	var plaintext string
	err = s.commit(ctx, func(q store.Q) error {
		if legacy {
			if err := q.SetPasswordHash(ctx, u.ID, hashPassword(pw)); err != nil {
				return err
			}
		}
		if err := q.TouchLogin(ctx, u.ID, now); err != nil {
			return err
		}
		tok, plaintext, err = s.insertToken(ctx, q, u.ID, &name, nil, &exp, now)
		return err
	})
	if err != nil {
		return nil, store.Token{}, "", err
	}
	u.LastLoginAt = now
	pu, err := s.userProto(ctx, u, domain.Caller{UserID: u.ID, Sysadmin: u.Sysadmin})
	return pu, tok, plaintext, err
}

// SetPassword sets the password of the user ref ("" for the caller): the
// user themself or a sysadmin.
func (s *Service) SetPassword(ctx context.Context, ref, pw string) error {
	caller, err := requireCaller(ctx)
	if err != nil {
		return err
	}
	if ref == "" {
		ref = caller.UserID
	}
	if err := validPassword(pw); err != nil {
		return err
	}
	u, err := s.store.GetUser(ctx, ref)
	if err != nil {
		return err
	}
	if u.ID != caller.UserID && !caller.Sysadmin {
		return fmt.Errorf("set password: %w", domain.ErrPermissionDenied)
	}
	return s.commit(ctx, func(q store.Q) error { return q.SetPasswordHash(ctx, u.ID, hashPassword(pw)) })
}

// SetPasswordOf sets a user's password without a caller: the admin
// command's, which writes to the database directly.
func (s *Service) SetPasswordOf(ctx context.Context, email, pw string) error {
	if err := validPassword(pw); err != nil {
		return err
	}
	u, err := s.store.GetUser(ctx, strings.ToLower(email))
	if err != nil {
		return err
	}
	return s.commit(ctx, func(q store.Q) error { return q.SetPasswordHash(ctx, u.ID, hashPassword(pw)) })
}
