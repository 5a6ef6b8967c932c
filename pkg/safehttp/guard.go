package safehttp

import (
	"fmt"
	"net/netip"
	"strings"
)

// blocked are the networks a fetch may not reach unless allowed: this
// host, private networks, link-local (where clouds serve their metadata,
// 169.254.169.254), shared address space (CGNAT, and Alibaba's metadata
// 100.100.100.200), multicast, reserved and documentation ranges.
var blocked = prefixes(
	// IPv4.
	"0.0.0.0/8",       // "this network", unspecified
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // shared address space (CGNAT)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, cloud metadata
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.88.99.0/24",  // 6to4 relay anycast
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, broadcast
	// IPv6.
	"::/128",         // unspecified
	"::1/128",        // loopback
	"64:ff9b::/96",   // NAT64: reaches IPv4 through a translator
	"64:ff9b:1::/48", // local-use NAT64
	"100::/64",       // discard
	"2001::/32",      // Teredo: tunnels to IPv4
	"2001:db8::/32",  // documentation
	"fc00::/7",       // unique local (AWS metadata fd00:ec2::254)
	"fe80::/10",      // link-local
	"fec0::/10",      // site-local (deprecated)
	"ff00::/8",       // multicast
)

func prefixes(cidrs ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(cidrs))
	for i, c := range cidrs {
		ps[i] = netip.MustParsePrefix(c)
	}
	return ps
}

// Allow lists what the guard lets through despite blocked: networks
// (CIDRs or single addresses) and host names (exact, case-insensitive; a
// leading "*." matches subdomains).
type Allow struct {
	nets  []netip.Prefix
	hosts []string
}

// ParseAllow reads allow-list entries: "10.1.0.0/16", "127.0.0.1",
// "::1", "data.intranet.example", "*.intranet.example".
func ParseAllow(entries []string) (Allow, error) {
	var a Allow
	for _, e := range entries {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
		case strings.Contains(e, "/"):
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return Allow{}, fmt.Errorf("fetch allow-list entry %q: %w", e, err)
			}
			a.nets = append(a.nets, p.Masked())
		default:
			if ip, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
				a.nets = append(a.nets, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
				continue
			}
			if strings.ContainsAny(e, " :/?#@") {
				return Allow{}, fmt.Errorf("fetch allow-list entry %q: want a CIDR, an address or a host name", e)
			}
			a.hosts = append(a.hosts, strings.ToLower(strings.TrimSuffix(e, ".")))
		}
	}
	return a, nil
}

// allowsHost says whether host (a name from a URL) is allowed as such.
func (a Allow) allowsHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range a.hosts {
		if h == host || (strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:])) {
			return true
		}
	}
	return false
}

// checkAddr returns an error when ip may not be reached. An IPv4-mapped
// IPv6 address (::ffff:127.0.0.1) is checked as the IPv4 address it is,
// and so is the IPv4 address embedded in a 6to4 one (2002:7f00:1::).
func (a Allow) checkAddr(ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	for _, p := range a.nets {
		if p.Contains(ip) {
			return nil
		}
	}
	if ip.Is6() && netip.MustParsePrefix("2002::/16").Contains(ip) {
		b := ip.As16()
		if err := a.checkAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); err != nil {
			return fmt.Errorf("%s (6to4): %w", ip, err)
		}
		return nil
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return fmt.Errorf("address %s is in %s: %w", ip, p, ErrForbidden)
		}
	}
	return nil
}
