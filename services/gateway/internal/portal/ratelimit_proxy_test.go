package portal

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/httpx"
)

// The sign-in limit per client keys on the client behind the trusted
// proxies (the ingress), never on an X-Forwarded-For an untrusted peer
// wrote; without trusted proxies, on the connection's address.
func TestClientKeyBehindProxies(t *testing.T) {
	proxies, err := httpx.ParseTrustedProxies("10.0.0.0/8")
	require.NoError(t, err)
	req := func(peer, xff string) *http.Request {
		r := httptest.NewRequest("POST", "/connexion/", nil)
		r.RemoteAddr = peer + ":443"
		r.Header.Set("X-Forwarded-For", xff)
		return r
	}
	behind := &Portal{opts: Options{Sessions: SessionOptions{ClientIP: proxies.ClientIP}}}
	require.Equal(t, "client:198.51.100.1", behind.clientKey(req("10.0.0.5", "198.51.100.1")))
	require.Equal(t, "client:198.51.100.1", behind.clientKey(req("10.0.0.5", "192.0.2.66, 198.51.100.1")), "a forged first hop")
	require.Equal(t, "client:203.0.113.9", behind.clientKey(req("203.0.113.9", "198.51.100.1")), "an untrusted peer")

	var direct Portal
	direct.opts.Sessions.setDefaults()
	require.Equal(t, "client:10.0.0.5", direct.clientKey(req("10.0.0.5", "198.51.100.1")))
}
