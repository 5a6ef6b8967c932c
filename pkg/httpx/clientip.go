package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the networks whose X-Forwarded-For the gateway
// believes: its ingress controller's pods, a load balancer. A client can
// write any X-Forwarded-For, so only the hops appended by trusted proxies
// count; without any, the connection's address is the client.
type TrustedProxies []netip.Prefix

// PrivateNetworks are the private and loopback ranges, where a cluster's
// ingress controller runs.
const PrivateNetworks = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8,fc00::/7,::1/128"

// ParseTrustedProxies reads a comma-separated list of CIDRs or addresses
// ("" trusts none).
func ParseTrustedProxies(s string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or a CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or a CIDR", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (t TrustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address of the client of r: the connection's address,
// unless it is a trusted proxy; then X-Forwarded-For is read from its end
// (the hop the proxy appended) back past the trusted proxies, and the
// first address that is not one of them is the client. A malformed hop
// stops the walk at the last address known good.
func (t TrustedProxies) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !t.trusts(peer) {
		return host
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return client.Unmap().String()
			}
			client = a
			if !t.trusts(a) {
				return a.Unmap().String()
			}
		}
	}
	return client.Unmap().String()
}
