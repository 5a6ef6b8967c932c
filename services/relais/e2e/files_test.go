package e2e

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/stretchr/testify/require"
)

// upload sends a file as data.gouv.fr's clients do: a multipart form with
// the field `file`.
func (p *portal) upload(path, key, name string, data []byte) response {
	p.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(p.t, err)
	_, err = fw.Write(data)
	require.NoError(p.t, err)
	require.NoError(p.t, mw.Close())
	req, err := http.NewRequest("POST", p.base+path, &body)
	require.NoError(p.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-API-KEY", key)
	return p.send(req)
}

// get fetches an absolute URL with extra headers (redirects not followed).
func (p *portal) get(url string, h http.Header) response {
	p.t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(p.t, err)
	for k, v := range h {
		req.Header[k] = v
	}
	return p.send(req)
}

func (p *portal) send(req *http.Request) response {
	p.t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	require.NoError(p.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(p.t, err)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 && res.Header.Get("Content-Type") == "application/json" {
		_ = json.Unmarshal(raw, &out.JSON)
	}
	return out
}

func sha1Hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}
