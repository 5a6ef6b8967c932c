package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/httpx"
)

func TestParseMetricQuery(t *testing.T) {
	q, err := parseMetricQuery("datasets", url.Values{
		"dataset_id__exact": {"5f0c9e0ffd7d4a2b8c0b0b0b"}, "metric_month__greater": {"2026-01"},
		"metric_month__strictly_less": {"2026-01"}, "metric_month__sort": {"desc"}, "page": {"2"}, "page_size": {"50"},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"5f0c9e0ffd7d4a2b8c0b0b0b"}, q.ids)
	assert.Equal(t, "2026-01", q.from)
	assert.Equal(t, "2025-12", q.to, "strictly less than January is up to December")
	assert.True(t, q.desc)
	assert.Equal(t, 2, q.page)
	assert.Equal(t, 50, q.pageSize)

	q, err = parseMetricQuery("site", url.Values{"metric_month__exact": {"2026-11"}})
	require.NoError(t, err)
	assert.Equal(t, "2026-11", q.from)
	assert.Equal(t, "2026-11", q.to)

	for name, args := range map[string]url.Values{
		"unknown model":    nil,
		"bad month":        {"metric_month__greater": {"2026-00"}},
		"bad operator":     {"metric_month__around": {"2026-01"}},
		"bad sort":         {"metric_month__sort": {"sideways"}},
		"huge page":        {"page_size": {"100000"}},
		"page zero":        {"page": {"0"}},
		"unknown argument": {"views__greater": {"3"}},
		"site has no ids":  {"site_id__exact": {"x"}},
	} {
		model := "datasets"
		if name == "unknown model" {
			model = "users"
		}
		if name == "site has no ids" {
			model = "site"
		}
		_, err := parseMetricQuery(model, args)
		assert.Error(t, err, name)
	}
}

// A client past its views of the minute is served but not counted; another
// client (another user agent) still is; the next minute counts again.
func TestViewRateLimit(t *testing.T) {
	v := &viewRecorder{max: 3, clients: map[uint64]int{}, client: httpx.TrustedProxies(nil).ClientIP}
	r := httptest.NewRequest("GET", "/api/1/datasets/x/", nil)
	r.Header.Set("User-Agent", "Firefox")
	other := httptest.NewRequest("GET", "/api/1/datasets/x/", nil)
	other.Header.Set("User-Agent", "curl")
	now := time.Date(2026, 11, 27, 10, 0, 1, 0, time.UTC)
	admitted := 0
	for range 5 {
		if v.admit(r, now) {
			admitted++
		}
	}
	assert.Equal(t, 3, admitted)
	assert.True(t, v.admit(other, now))
	assert.True(t, v.admit(r, now.Add(time.Minute)))
}

// Behind the ingress (a trusted proxy), each client of X-Forwarded-For has
// its own quota of views; a client reaching the gateway directly cannot
// escape its quota by writing X-Forwarded-For.
func TestViewRateLimitBehindProxies(t *testing.T) {
	proxies, err := httpx.ParseTrustedProxies("10.0.0.0/8")
	require.NoError(t, err)
	v := &viewRecorder{max: 2, clients: map[uint64]int{}, client: proxies.ClientIP}
	now := time.Date(2026, 11, 27, 10, 0, 1, 0, time.UTC)
	req := func(peer, xff string) *http.Request {
		r := httptest.NewRequest("GET", "/api/1/datasets/x/", nil)
		r.RemoteAddr, r.Header["User-Agent"] = peer+":443", []string{"Firefox"}
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		return r
	}
	for _, client := range []string{"198.51.100.1", "198.51.100.2"} {
		assert.True(t, v.admit(req("10.0.0.5", client), now))
		assert.True(t, v.admit(req("10.0.0.5", client), now))
		assert.False(t, v.admit(req("10.0.0.5", client), now), "%s past its quota", client)
	}
	direct := 0
	for i := range 5 {
		if v.admit(req("203.0.113.9", fmt.Sprintf("192.0.2.%d", i)), now) {
			direct++
		}
	}
	assert.Equal(t, 2, direct, "a forged X-Forwarded-For from an untrusted peer is ignored")
}
