package safehttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCheckAddrRefusesInternalAddresses(t *testing.T) {
	var none Allow
	for _, addr := range []string{
		"127.0.0.1", "127.255.0.9", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "169.254.169.254", "100.64.0.1", "100.100.100.200", "224.0.0.1",
		"239.255.255.250", "255.255.255.255", "198.18.0.1", "192.0.0.170",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
		"fe80::1", "fe80::1%eth0", "fc00::1", "fd00:ec2::254", "ff02::1", "64:ff9b::7f00:1",
		"2002:7f00:1::1", "2002:a9fe:a9fe::1", "2001:db8::1", "2001::1",
	} {
		err := none.checkAddr(netip.MustParseAddr(addr))
		require.ErrorIs(t, err, ErrForbidden, addr)
	}
	for _, addr := range []string{"8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "2a00:1450:4007::1", "::ffff:8.8.8.8", "2002:808:808::1"} {
		require.NoError(t, none.checkAddr(netip.MustParseAddr(addr)), addr)
	}
}

func TestAllowListOpensNetworksAndHosts(t *testing.T) {
	a, err := ParseAllow([]string{"10.1.0.0/16", "::1", " 127.0.0.1 ", "Data.Intranet.Example.", "*.lab.example", ""})
	require.NoError(t, err)
	require.NoError(t, a.checkAddr(netip.MustParseAddr("10.1.200.3")))
	require.ErrorIs(t, a.checkAddr(netip.MustParseAddr("10.2.0.1")), ErrForbidden)
	require.NoError(t, a.checkAddr(netip.MustParseAddr("::1")))
	require.NoError(t, a.checkAddr(netip.MustParseAddr("::ffff:127.0.0.1")))
	require.ErrorIs(t, a.checkAddr(netip.MustParseAddr("127.0.0.2")), ErrForbidden)
	require.True(t, a.allowsHost("data.intranet.example"))
	require.True(t, a.allowsHost("x.lab.example"))
	require.False(t, a.allowsHost("lab.example"))
	require.False(t, a.allowsHost("intranet.example"))

	for _, bad := range []string{"10.0.0.0/33", "http://x", "a b", "host:80"} {
		_, err := ParseAllow([]string{bad})
		require.Error(t, err, bad)
	}
}

// newFetcher returns a Fetcher with cfg's limits and allow-list.
func newFetcher(t testing.TB, cfg Config) *Fetcher {
	f, err := New(cfg)
	require.NoError(t, err)
	return f
}

func serve(t testing.TB, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchRefusesLoopbackAndPrivateAtDialTime(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secret") })
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	f := newFetcher(t, Config{Timeout: 5 * time.Second})
	dir := t.TempDir()
	for _, u := range []string{
		srv.URL,                          // 127.0.0.1
		"http://localhost:" + port + "/", // a name resolving to loopback
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://10.255.255.1/",
		"http://169.254.169.254/latest/meta-data/",
		"http://100.100.100.200/",
		"http://0.0.0.0:" + port + "/",
		"http://224.0.0.1/",
	} {
		_, err := f.Fetch(context.Background(), u, dir)
		require.ErrorIs(t, err, ErrForbidden, u)
	}
	entries, _ := os.ReadDir(dir)
	require.Empty(t, entries, "no temporary file left")
}

func TestFetchRefusesOtherSchemesAndCredentials(t *testing.T) {
	f := newFetcher(t, Config{})
	for _, u := range []string{"file:///etc/passwd", "ftp://example.org/x.csv", "gopher://127.0.0.1:25/", "//example.org/x", "http:///x", "https://user:pw@example.org/", "javascript:alert(1)"} {
		_, err := f.Fetch(context.Background(), u, t.TempDir())
		require.ErrorIs(t, err, ErrForbidden, u)
	}
}

func TestFetchAllowedServer(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")
		fmt.Fprint(w, "a;b\n1;2\n")
	})
	f := newFetcher(t, Config{Allow: []string{"127.0.0.0/8"}})
	res, err := f.Fetch(context.Background(), srv.URL+"/x.csv", t.TempDir())
	require.NoError(t, err)
	b, err := os.ReadFile(res.Path)
	require.NoError(t, err)
	require.Equal(t, "a;b\n1;2\n", string(b))
	require.EqualValues(t, 8, res.Size)
	require.Equal(t, "text/csv", res.ContentType)
	require.Equal(t, "Wed, 21 Oct 2015 07:28:00 GMT", res.LastModified)
	require.Len(t, res.SHA1, 40)
}

func TestFetchRechecksRedirects(t *testing.T) {
	target := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "internal") })
	// The first server is allowed by name; it redirects to an address
	// that is not allowed.
	front := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/admin", http.StatusFound)
	})
	port := front.URL[strings.LastIndexByte(front.URL, ':')+1:]
	f := newFetcher(t, Config{Allow: []string{"localhost"}})
	_, err := f.Fetch(context.Background(), "http://localhost:"+port+"/", t.TempDir())
	require.ErrorIs(t, err, ErrForbidden)

	// A redirect to another scheme is refused too.
	ftp := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	f = newFetcher(t, Config{Allow: []string{"127.0.0.1"}})
	_, err = f.Fetch(context.Background(), ftp.URL, t.TempDir())
	require.ErrorIs(t, err, ErrForbidden)
}

func TestFetchCapsRedirects(t *testing.T) {
	var srv *httptest.Server
	srv = serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path+"x", http.StatusFound)
	})
	f := newFetcher(t, Config{Allow: []string{"127.0.0.1"}, MaxRedirects: 3})
	_, err := f.Fetch(context.Background(), srv.URL+"/", t.TempDir())
	require.ErrorIs(t, err, ErrForbidden)
	require.Contains(t, err.Error(), "more than 3 redirects")
}

func TestFetchStopsAtTheSizeLimit(t *testing.T) {
	big := strings.Repeat("x", 10_000)
	announced := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, big) })
	chunked := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for range 10 {
			fmt.Fprint(w, big[:1000])
			w.(http.Flusher).Flush()
		}
	})
	f := newFetcher(t, Config{Allow: []string{"127.0.0.1"}, MaxBytes: 4096})
	dir := t.TempDir()
	for _, u := range []string{announced.URL, chunked.URL} {
		_, err := f.Fetch(context.Background(), u, dir)
		require.ErrorIs(t, err, ErrTooLarge, u)
		require.Contains(t, err.Error(), "4096")
	}
	entries, _ := os.ReadDir(dir)
	require.Empty(t, entries)
	res, err := newFetcher(t, Config{Allow: []string{"127.0.0.1"}, MaxBytes: 10_000}).Fetch(context.Background(), chunked.URL, dir)
	require.NoError(t, err)
	require.EqualValues(t, 10_000, res.Size)
	require.Equal(t, dir, filepath.Dir(res.Path))
}

func TestFetchTimeLimits(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	stalls := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "first bytes")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	trickles := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := fmt.Fprint(w, "x"); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(20 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	})
	idle := newFetcher(t, Config{Allow: []string{"127.0.0.1"}, IdleTimeout: 200 * time.Millisecond})
	_, err := idle.Fetch(context.Background(), stalls.URL, t.TempDir())
	require.ErrorIs(t, err, ErrTimeout)
	require.Contains(t, err.Error(), "no bytes received")

	total := newFetcher(t, Config{Allow: []string{"127.0.0.1"}, Timeout: 300 * time.Millisecond, IdleTimeout: time.Second})
	_, err = total.Fetch(context.Background(), trickles.URL, t.TempDir())
	require.ErrorIs(t, err, ErrTimeout)
	require.Contains(t, err.Error(), "more than 300ms")
}

func TestFetchRefusesErrorStatus(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	_, err := newFetcher(t, Config{Allow: []string{"127.0.0.1"}}).Fetch(context.Background(), srv.URL, t.TempDir())
	require.ErrorIs(t, err, ErrStatus)
	require.Contains(t, err.Error(), "404")
	require.False(t, errors.Is(err, ErrForbidden))
}

func TestGetReadsPagesAndRefusesTheGuardedOnes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			fmt.Fprint(w, strings.Repeat("x", 2048))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"accept":%q}`, r.Header.Get("Accept"))
	}))
	defer srv.Close()

	guarded, err := New(Config{})
	require.NoError(t, err)
	_, err = guarded.Get(context.Background(), srv.URL, "")
	require.ErrorIs(t, err, ErrForbidden)

	open, err := New(Config{Allow: []string{"127.0.0.1"}, MaxBytes: 1024})
	require.NoError(t, err)
	page, err := open.Get(context.Background(), srv.URL+"/a", "application/json")
	require.NoError(t, err)
	require.JSONEq(t, `{"accept":"application/json"}`, string(page.Body))
	require.Equal(t, "application/json", page.ContentType)
	_, err = open.Get(context.Background(), srv.URL+"/big", "")
	require.ErrorIs(t, err, ErrTooLarge)
}
