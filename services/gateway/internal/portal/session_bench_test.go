package portal

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSession: what a request with a session costs the gateway
// besides its page: opening the cookie, and the catalog check when its
// answer is fresh (one GetMe per token per CheckTTL otherwise).
func BenchmarkSession(b *testing.B) {
	now := time.Now()
	s, _ := newSealer([][]byte{testKey(2), testKey(1)})
	sess := testSession(now)
	v, _ := s.seal(sess)
	b.Run("seal", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.seal(sess); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(v)), "cookie-bytes")
	})
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			if s.open(v, now) == nil {
				b.Fatal("not opened")
			}
		}
	})
	old, _ := newSealer([][]byte{testKey(1)})
	vOld, _ := old.seal(sess)
	b.Run("open-second-key", func(b *testing.B) {
		for b.Loop() {
			if s.open(vOld, now) == nil {
				b.Fatal("not opened")
			}
		}
	})
	b.Run("open-foreign", func(b *testing.B) {
		foreign, _ := newSealer(nil)
		vf, _ := foreign.seal(sess)
		for b.Loop() {
			if s.open(vf, now) != nil {
				b.Fatal("opened")
			}
		}
	})
	b.Run("check-cached", func(b *testing.B) {
		c := newTokenChecks(nil, time.Now, time.Hour)
		c.remember(sess.tokenID, tokenCheck{live: true, until: time.Now().Add(time.Hour)})
		ctx := context.Background()
		for b.Loop() {
			if live, err := c.live(ctx, sess); !live || err != nil {
				b.Fatal(live, err)
			}
		}
	})
}
