package safehttp

import (
	"net/netip"
	"testing"
)

// FuzzCheckURL: any string is either refused or an http(s) URL with a
// host and no credentials; never a panic.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"http://example.org/a.csv", "https://[::1]:443/", "file:///etc/passwd", "HTTP://EXAMPLE.ORG",
		"http://user@host/", "http://%zz", "http://[fe80::1%25eth0]/", "//x", "http:\\\\host", "http://0x7f.1/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := CheckURL(raw)
		if err != nil {
			return
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
			t.Fatalf("%q accepted as %#v", raw, u)
		}
	})
}

// FuzzAllow: allow-list entries parse or fail cleanly, and an address
// the guard blocks stays blocked unless an entry covers it.
func FuzzAllow(f *testing.F) {
	f.Add("10.0.0.0/8", "10.1.1.1")
	f.Add("*.example.org", "127.0.0.1")
	f.Add("::1", "::ffff:127.0.0.1")
	f.Fuzz(func(t *testing.T, entry, addr string) {
		a, err := ParseAllow([]string{entry})
		if err != nil {
			return
		}
		ip, err := netip.ParseAddr(addr)
		if err != nil {
			return
		}
		var none Allow
		if none.checkAddr(ip) == nil && a.checkAddr(ip) != nil {
			t.Fatalf("allowing %q blocked %s", entry, ip)
		}
	})
}
