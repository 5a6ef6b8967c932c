package portal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The sealed cookie, version 1: base64url (no padding) of
//
//	0x01 | nonce (12 bytes) | AES-256-GCM(JSON of sealedSession)
//
// with the version byte and the cookie's name as additional data, so that
// neither can be changed without the seal breaking. A session is sealed
// once, at sign-in, so random nonces stay far below GCM's 2^32 messages per
// key. A later format takes another version byte; an unknown one is
// ignored, as a tampered cookie is.
const sealVersion = 1

// SessionKeySize is the length of a session key: AES-256.
const SessionKeySize = 32

// maxSealed bounds the cookie values worth opening: a session seals to
// about 600 bytes; browsers keep 4 KB a cookie.
const maxSealed = 2048

// maxNameBytes bounds the agent's name in the cookie (names the catalog
// stores are shorter; the bound keeps the cookie far below 4 KB whatever
// they become).
const maxNameBytes = 256

// sealedSession is a session as the cookie holds it (short names: the
// cookie goes with every request).
type sealedSession struct {
	UserID   string `json:"u"`
	Name     string `json:"n"`
	Sysadmin bool   `json:"a,omitempty"`
	Token    string `json:"t"`
	TokenID  string `json:"i"`
	CSRF     string `json:"c"`
	Expires  int64  `json:"e"` // Unix seconds
}

// sealer seals sessions into cookie values and opens them: the first key
// seals, every key opens.
type sealer struct {
	aeads []cipher.AEAD
}

func newSealer(keys [][]byte) (*sealer, error) {
	if len(keys) == 0 {
		k := make([]byte, SessionKeySize)
		_, _ = rand.Read(k)
		keys = [][]byte{k}
	}
	s := &sealer{}
	for i, k := range keys {
		if len(k) != SessionKeySize {
			return nil, fmt.Errorf("session key %d: %d bytes, want %d", i+1, len(k), SessionKeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("session key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("session key %d: %w", i+1, err)
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// additionalData binds a sealed value to its version and cookie.
var additionalData = []byte{sealVersion, 'r', 'e', 'l', 'a', 'i', 's', '_', 's', 'e', 's', 's', 'i', 'o', 'n'}

// seal returns the cookie value of sess.
func (s *sealer) seal(sess *session) (string, error) {
	plain, err := json.Marshal(sealedSession{
		UserID: sess.userID, Name: sess.name, Sysadmin: sess.sysadmin, Token: sess.token,
		TokenID: sess.tokenID, CSRF: sess.csrf, Expires: sess.expires.Unix(),
	})
	if err != nil {
		return "", fmt.Errorf("seal session: %w", err)
	}
	return s.sealBytes(plain), nil
}

func (s *sealer) sealBytes(plain []byte) string {
	aead := s.aeads[0]
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = sealVersion
	_, _ = rand.Read(out[1:])
	out = aead.Seal(out, out[1:], plain, additionalData)
	return base64.RawURLEncoding.EncodeToString(out)
}

// open returns the session sealed in value by one of the keys, if it has
// not expired at now; anything else (tampered, truncated, sealed by
// another key, another version, expired) is nil.
func (s *sealer) open(value string, now time.Time) *session {
	if len(value) > maxSealed {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < 1 || raw[0] != sealVersion {
		return nil
	}
	for _, aead := range s.aeads {
		n := 1 + aead.NonceSize()
		if len(raw) < n+aead.Overhead() {
			return nil
		}
		plain, err := aead.Open(nil, raw[1:n], raw[n:], additionalData)
		if err != nil {
			continue
		}
		sess, err := decodeSession(plain)
		if err != nil || !now.Before(sess.expires) {
			return nil
		}
		return sess
	}
	return nil
}

var errBadSession = errors.New("malformed session")

// decodeSession reads an opened cookie. It only ever reads what a key
// holder sealed, yet checks every field: a bug of a past version must not
// make a session without a token or a CSRF token.
func decodeSession(plain []byte) (*session, error) {
	var v sealedSession
	if err := json.Unmarshal(plain, &v); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadSession, err)
	}
	if v.UserID == "" || v.Token == "" || v.TokenID == "" || len(v.CSRF) < 32 || v.Expires <= 0 {
		return nil, errBadSession
	}
	return &session{
		userID: v.UserID, name: v.Name, sysadmin: v.Sysadmin, token: v.Token, tokenID: v.TokenID,
		csrf: v.CSRF, expires: time.Unix(v.Expires, 0),
	}, nil
}

// clipName bounds a name to maxNameBytes, on a character boundary.
func clipName(name string) string {
	if len(name) <= maxNameBytes {
		return name
	}
	return strings.TrimSpace(strings.ToValidUTF8(name[:maxNameBytes], ""))
}

// ParseSessionKeys reads gateway.session_key: base64 keys of 32 bytes
// (standard or URL alphabet, padded or not), separated by commas, the
// sealing one first. "" is no key.
func ParseSessionKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var k []byte
		var err error
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if k, err = enc.DecodeString(part); err == nil {
				break
			}
		}
		if err != nil {
			return nil, fmt.Errorf("session key %d: not base64", i+1)
		}
		if len(k) != SessionKeySize {
			return nil, fmt.Errorf("session key %d: %d bytes, want %d (e.g. `openssl rand -base64 32`)", i+1, len(k), SessionKeySize)
		}
		keys = append(keys, k)
	}
	return keys, nil
}
