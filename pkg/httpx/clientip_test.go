package httpx

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClientIP(t *testing.T) {
	private, err := ParseTrustedProxies(PrivateNetworks)
	require.NoError(t, err)
	one, err := ParseTrustedProxies("10.1.2.3")
	require.NoError(t, err)
	cases := []struct {
		name    string
		trusted TrustedProxies
		remote  string
		xff     []string
		want    string
	}{
		{"no proxy trusted: the connection", nil, "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"an untrusted peer's header is ignored", private, "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"behind the ingress", private, "10.0.0.5:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a forged first hop is skipped", private, "10.0.0.5:5000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted hops", private, "10.0.0.5:5000", []string{"198.51.100.1, 10.0.0.9"}, "198.51.100.1"},
		{"several header lines", private, "10.0.0.5:5000", []string{"1.2.3.4", "198.51.100.1"}, "198.51.100.1"},
		{"only trusted hops: the first", private, "10.0.0.5:5000", []string{"10.0.0.8, 10.0.0.9"}, "10.0.0.8"},
		{"no header: the proxy", private, "10.0.0.5:5000", nil, "10.0.0.5"},
		{"garbage stops the walk", private, "10.0.0.5:5000", []string{"198.51.100.1, not-an-ip, 10.0.0.9"}, "10.0.0.9"},
		{"one trusted address", one, "10.1.2.3:80", []string{"198.51.100.1"}, "198.51.100.1"},
		{"outside the one address", one, "10.1.2.4:80", []string{"198.51.100.1"}, "10.1.2.4"},
		{"IPv6 peer", private, "[fd00::1]:80", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv4-mapped", private, "[::ffff:10.0.0.5]:80", []string{"198.51.100.1"}, "198.51.100.1"},
		{"no port", private, "10.0.0.5", []string{"198.51.100.1"}, "198.51.100.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			require.Equal(t, c.want, c.trusted.ClientIP(r))
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8 , 192.168.1.1,,fd00::/8 ")
	require.NoError(t, err)
	require.Len(t, got, 3)
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0.1/x"} {
		_, err := ParseTrustedProxies(bad)
		require.Error(t, err, bad)
	}
	none, err := ParseTrustedProxies("")
	require.NoError(t, err)
	require.Empty(t, none)
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.5:80", "198.51.100.1, 10.0.0.9")
	f.Add("[::1]:80", "x, ,,")
	private, _ := ParseTrustedProxies(PrivateNetworks)
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		_ = private.ClientIP(r)
	})
}
