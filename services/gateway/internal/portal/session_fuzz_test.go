package portal

import (
	"testing"
	"time"
)

// FuzzOpenSession: whatever a cookie holds, opening it never panics, and
// what opens is a complete, unexpired session. The second half seals the
// fuzzed bytes as a payload, so the decoder behind the seal is fuzzed too.
func FuzzOpenSession(f *testing.F) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s, err := newSealer([][]byte{testKey(1)})
	if err != nil {
		f.Fatal(err)
	}
	valid, _ := s.seal(testSession(now))
	for _, seed := range []string{valid, valid[:len(valid)/2], "", "AQ", randomToken(),
		`{"u":"a","n":"b","t":"c","i":"d","c":"0123456789abcdef0123456789abcdef0","e":1800000000}`} {
		f.Add(seed)
	}
	check := func(t *testing.T, sess *session) {
		if sess == nil {
			return
		}
		if sess.userID == "" || sess.token == "" || sess.tokenID == "" || len(sess.csrf) < 32 || !now.Before(sess.expires) {
			t.Fatalf("opened an incomplete or expired session %+v", sess)
		}
	}
	f.Fuzz(func(t *testing.T, value string) {
		check(t, s.open(value, now))
		check(t, s.open(s.sealBytes([]byte(value)), now))
	})
}
