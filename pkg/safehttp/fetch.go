package safehttp

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// Errors of Fetch, for errors.Is; their messages say what happened.
var (
	// ErrForbidden: the URL's scheme, or an address it resolves or
	// redirects to, is not allowed.
	ErrForbidden = errors.New("forbidden destination")
	// ErrTooLarge: the file is larger than Config.MaxBytes.
	ErrTooLarge = errors.New("file too large")
	// ErrTimeout: the fetch took longer than Config.Timeout, or the server
	// sent nothing for Config.IdleTimeout.
	ErrTimeout = errors.New("timed out")
	// ErrStatus: the server answered with a status other than 200.
	ErrStatus = errors.New("unexpected HTTP status")
)

// StatusError is the answer of a server with another status than 200; it
// matches ErrStatus.
type StatusError struct{ Status int }

func (e *StatusError) Error() string        { return fmt.Sprintf("status %d", e.Status) }
func (e *StatusError) Is(target error) bool { return target == ErrStatus }

// Config bounds a fetch.
type Config struct {
	// Allow lets some networks or hosts through the guard (see ParseAllow).
	Allow []string `yaml:"allow" usage:"networks (CIDR or address) and host names remote resources may be fetched from despite the SSRF guard"`
	// MaxBytes bounds the bytes of a file (default 1 GiB), fetched or
	// read from storage.
	MaxBytes int64 `yaml:"max_bytes" usage:"largest file previewed, fetched or stored, in bytes (default 1 GiB)"`
	// Timeout bounds a whole fetch, redirects included (default 5m).
	Timeout time.Duration `yaml:"timeout" usage:"time limit of a whole fetch (default 5m)"`
	// IdleTimeout bounds the wait for the next bytes (default 30s).
	IdleTimeout time.Duration `yaml:"idle_timeout" usage:"time limit without receiving bytes (default 30s)"`
	// MaxRedirects bounds the redirects followed (default 5).
	MaxRedirects int `yaml:"max_redirects" usage:"redirects followed at most (default 5)"`
	// UserAgent is sent with each request.
	UserAgent string `yaml:"user_agent"`
}

// Defaults of Config.
const (
	DefaultMaxBytes     = 1 << 30
	DefaultTimeout      = 5 * time.Minute
	DefaultIdleTimeout  = 30 * time.Second
	DefaultMaxRedirects = 5
	defaultUserAgent    = "relais-preview/1 (+https://github.com/relais-data/relais)"
)

// Fetcher downloads remote files behind the guard.
type Fetcher struct {
	cfg    Config
	allow  Allow
	client *http.Client
}

// New checks cfg and returns a Fetcher.
func New(cfg Config) (*Fetcher, error) {
	allow, err := ParseAllow(cfg.Allow)
	if err != nil {
		return nil, err
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = defaultUserAgent
	}
	f := &Fetcher{cfg: cfg, allow: allow}
	guarded := &net.Dialer{Timeout: 30 * time.Second, Control: f.control}
	open := &net.Dialer{Timeout: 30 * time.Second}
	transport := &http.Transport{
		// No proxy from the environment: a proxy would dial for us, past
		// the guard.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			if allow.allowsHost(host) {
				return open.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.IdleTimeout,
	}
	f.client = &http.Client{Transport: transport, CheckRedirect: f.checkRedirect}
	return f, nil
}

// MaxBytes is the largest file fetched; the preview reads stored files up
// to the same size.
func (f *Fetcher) MaxBytes() int64 { return f.cfg.MaxBytes }

// control runs after resolution, before each connection: the address is
// the one dialled.
func (f *Fetcher) control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, ErrForbidden)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("dial %s: not an IP address: %w", address, ErrForbidden)
	}
	return f.allow.checkAddr(ip)
}

func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.cfg.MaxRedirects {
		return fmt.Errorf("more than %d redirects: %w", f.cfg.MaxRedirects, ErrForbidden)
	}
	return checkURL(req.URL)
}

// CheckURL says whether raw may be fetched as far as the URL alone tells
// (scheme, host present, no credentials); the address is checked at dial
// time.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	return u, checkURL(u)
}

func checkURL(u *url.URL) error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("scheme %q (only http and https are fetched): %w", u.Scheme, ErrForbidden)
	case u.Hostname() == "":
		return fmt.Errorf("URL %q has no host: %w", u.Redacted(), ErrForbidden)
	case u.User != nil:
		return fmt.Errorf("URL %q carries credentials: %w", u.Redacted(), ErrForbidden)
	}
	return nil
}

// Result is a fetched file.
type Result struct {
	// Path is the temporary file holding the bytes; the caller removes it.
	Path string
	Size int64
	// SHA1 of the bytes, hex.
	SHA1         string
	URL          string // after redirects
	Status       int
	ContentType  string
	LastModified string
	FetchedAt    time.Time
}

// Fetch downloads raw into a new temporary file in dir (the system's when
// empty). On error no file is left behind.
func (f *Fetcher) Fetch(ctx context.Context, raw, dir string) (*Result, error) {
	u, err := CheckURL(raw)
	if err != nil {
		return nil, err
	}
	ctx, idle := context.WithCancelCause(ctx)
	defer idle(nil)
	ctx, cancel := context.WithTimeoutCause(ctx, f.cfg.Timeout, fmt.Errorf("fetch took more than %v: %w", f.cfg.Timeout, ErrTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.explain(ctx, u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), &StatusError{Status: resp.StatusCode})
	}
	if resp.ContentLength > f.cfg.MaxBytes {
		return nil, fmt.Errorf("fetch %s: %d bytes announced, more than the limit of %d: %w", u.Redacted(), resp.ContentLength, f.cfg.MaxBytes, ErrTooLarge)
	}
	tmp, err := os.CreateTemp(dir, "relais-fetch-*")
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	res := &Result{
		Path: tmp.Name(), URL: resp.Request.URL.String(), Status: resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"), LastModified: resp.Header.Get("Last-Modified"),
		FetchedAt: time.Now().UTC(),
	}
	h := sha1.New()
	body := &idleReader{r: resp.Body, timeout: f.cfg.IdleTimeout, cancel: idle}
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(body, f.cfg.MaxBytes+1))
	body.stop()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		err = f.explain(ctx, u, err)
	case n > f.cfg.MaxBytes:
		err = fmt.Errorf("fetch %s: more than the limit of %d bytes: %w", u.Redacted(), f.cfg.MaxBytes, ErrTooLarge)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	res.Size, res.SHA1 = n, hex.EncodeToString(h.Sum(nil))
	return res, nil
}

// explain turns a transport error into one that says what happened: the
// guard's refusal, a timeout, or the error itself.
func (f *Fetcher) explain(ctx context.Context, u *url.URL, err error) error {
	if errors.Is(err, ErrForbidden) {
		return fmt.Errorf("fetch %s: %w", u.Redacted(), unwrapURLError(err))
	}
	if cause := context.Cause(ctx); cause != nil && errors.Is(cause, ErrTimeout) {
		return fmt.Errorf("fetch %s: %w", u.Redacted(), cause)
	}
	return fmt.Errorf("fetch %s: %w", u.Redacted(), unwrapURLError(err))
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// idleReader cancels the fetch when a read waits longer than timeout.
type idleReader struct {
	r       io.Reader
	timeout time.Duration
	cancel  context.CancelCauseFunc
	timer   *time.Timer
}

func (ir *idleReader) Read(p []byte) (int, error) {
	if ir.timer == nil {
		ir.timer = time.AfterFunc(ir.timeout, func() {
			ir.cancel(fmt.Errorf("no bytes received for %v: %w", ir.timeout, ErrTimeout))
		})
	} else {
		ir.timer.Reset(ir.timeout)
	}
	n, err := ir.r.Read(p)
	ir.timer.Stop()
	return n, err
}

func (ir *idleReader) stop() {
	if ir.timer != nil {
		ir.timer.Stop()
	}
}
