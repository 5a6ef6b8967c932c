package safehttp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// Page is a document read whole into memory (an API page, a catalogue).
type Page struct {
	Body        []byte
	URL         string // after redirects
	ContentType string
}

// Get reads raw into memory behind the guard, with the same limits as
// Fetch: a harvest page is parsed whole, so MaxBytes is what keeps a
// gigantic page from exhausting memory. accept is sent as the Accept header
// when not empty.
func (f *Fetcher) Get(ctx context.Context, raw, accept string) (*Page, error) {
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
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
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
	var buf bytes.Buffer
	body := &idleReader{r: resp.Body, timeout: f.cfg.IdleTimeout, cancel: idle}
	n, err := io.Copy(&buf, io.LimitReader(body, f.cfg.MaxBytes+1))
	body.stop()
	switch {
	case err != nil:
		return nil, f.explain(ctx, u, err)
	case n > f.cfg.MaxBytes:
		return nil, fmt.Errorf("fetch %s: more than the limit of %d bytes: %w", u.Redacted(), f.cfg.MaxBytes, ErrTooLarge)
	}
	return &Page{Body: buf.Bytes(), URL: resp.Request.URL.String(), ContentType: resp.Header.Get("Content-Type")}, nil
}
