package portal

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// TestCookies: HttpOnly and SameSite=Lax always, Secure when the public
// URL is https.
func TestCookies(t *testing.T) {
	for url, secure := range map[string]bool{"https://data.example.fr": true, "HTTPS://data.example.fr": true, "http://localhost:8080": false} {
		p, err := New(Options{Catalog: catalogv1.NewCatalogServiceClient(nil), PublicURL: url})
		if err != nil {
			t.Fatal(err)
		}
		c := p.cookie(sessionCookie, "x", 60)
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.Path != "/" {
			t.Errorf("%s: cookie %+v", url, c)
		}
	}
}

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, SessionKeySize) }

func testSession(now time.Time) *session {
	return &session{userID: "6502a1b2c3d4e5f6a7b8c9d0", name: "Camille Agent", sysadmin: true,
		token: "udata_" + strings.Repeat("k", 43), tokenID: "6502a1b2c3d4e5f6a7b8c9d1", csrf: randomToken(),
		expires: now.Add(time.Hour).Truncate(time.Second)}
}

// TestSealOpen: a sealed session opens as it was, until its expiry, with
// any of the keys; nothing else opens.
func TestSealOpen(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s, err := newSealer([][]byte{testKey(1)})
	if err != nil {
		t.Fatal(err)
	}
	sess := testSession(now)
	v, err := s.seal(sess)
	if err != nil {
		t.Fatal(err)
	}
	got := s.open(v, now)
	if got == nil {
		t.Fatal("a sealed session does not open")
	}
	want := *sess
	want.expires = got.expires // the same instant, in another location
	if *got != want || !got.expires.Equal(sess.expires) {
		t.Fatalf("opened %+v, want %+v", got, sess)
	}
	if v2, _ := s.seal(sess); v2 == v {
		t.Error("two seals of one session are alike: the nonce is not random")
	}
	if s.open(v, sess.expires) != nil || s.open(v, sess.expires.Add(time.Hour)) != nil {
		t.Error("an expired session opens")
	}
	other, _ := newSealer([][]byte{testKey(2)})
	if other.open(v, now) != nil {
		t.Error("a session sealed with another key opens")
	}
	// Rotation: the new key first seals; the old one still opens.
	rotated, _ := newSealer([][]byte{testKey(2), testKey(1)})
	if rotated.open(v, now) == nil {
		t.Error("the old key of a rotation does not open its sessions")
	}
	if v3, _ := rotated.seal(sess); s.open(v3, now) != nil || other.open(v3, now) == nil {
		t.Error("the first key of a rotation does not seal")
	}
	// Tampered: every byte of the sealed value, flipped.
	raw, _ := base64.RawURLEncoding.DecodeString(v)
	for i := range raw {
		b := bytes.Clone(raw)
		b[i] ^= 0x20
		if s.open(base64.RawURLEncoding.EncodeToString(b), now) != nil {
			t.Fatalf("byte %d flipped: opens", i)
		}
	}
	// Truncated, or lengthened.
	for i := 0; i < len(v); i++ {
		if s.open(v[:i], now) != nil {
			t.Fatalf("truncated to %d: opens", i)
		}
	}
	if s.open(v+"A", now) != nil || s.open(v+"AAAA", now) != nil {
		t.Error("lengthened: opens")
	}
	// Garbage, an old session id, a huge value.
	for _, g := range []string{"", "x", randomToken(), "!!!!", strings.Repeat("A", 5000)} {
		if s.open(g, now) != nil {
			t.Errorf("%.20q opens", g)
		}
	}
}

// TestSealRefusesIncomplete: a sealed payload without a token, a token id
// or a CSRF token is no session, even under the right key.
func TestSealRefusesIncomplete(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s, _ := newSealer([][]byte{testKey(1)})
	exp := now.Add(time.Hour).Unix()
	for _, plain := range []string{
		`{}`, `null`, `[]`, `{"u":"a","t":"b","i":"c","e":` + strconv.FormatInt(exp, 10) + `}`,
		`{"u":"a","t":"","i":"c","c":"` + randomToken() + `","e":` + strconv.FormatInt(exp, 10) + `}`,
		`{"u":"a","t":"b","i":"c","c":"` + randomToken() + `","e":0}`, `{"u":1}`, `not json`,
	} {
		if got := s.open(s.sealBytes([]byte(plain)), now); got != nil {
			t.Errorf("%s opens as %+v", plain, got)
		}
	}
}

// TestSealedCookieSize: the longest name there can be still makes a
// cookie far below browsers' 4 KB.
func TestSealedCookieSize(t *testing.T) {
	now := time.Now()
	s, _ := newSealer(nil)
	sess := testSession(now)
	sess.name = clipName(strings.Repeat("é", 1000))
	if len(sess.name) > maxNameBytes || !strings.HasPrefix(sess.name, "éé") {
		t.Fatalf("clipped name %d bytes", len(sess.name))
	}
	v, _ := s.seal(sess)
	c := (&http.Cookie{Name: sessionCookie, Value: v, Path: "/", MaxAge: 28800, HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode}).String()
	t.Logf("Set-Cookie of a session with a %d-byte name: %d bytes", len(sess.name), len(c))
	if len(c) > 1024 {
		t.Errorf("cookie of %d bytes", len(c))
	}
}

// TestParseSessionKeys: base64 keys of 32 bytes, comma-separated, in
// either alphabet; anything else is a clear error.
func TestParseSessionKeys(t *testing.T) {
	k1, k2 := testKey(0xfb), testKey(0xff)
	keys, err := ParseSessionKeys(base64.StdEncoding.EncodeToString(k1) + " , " + base64.RawURLEncoding.EncodeToString(k2))
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], k1) || !bytes.Equal(keys[1], k2) {
		t.Fatalf("keys %x, %v", keys, err)
	}
	if keys, err := ParseSessionKeys(""); err != nil || keys != nil {
		t.Errorf("empty: %v %v", keys, err)
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString(k1[:16]), base64.StdEncoding.EncodeToString(k1) + ",abc"} {
		if _, err := ParseSessionKeys(bad); err == nil || !strings.Contains(err.Error(), "session key") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := newSealer([][]byte{k1[:31]}); err == nil {
		t.Error("a short key seals")
	}
}
