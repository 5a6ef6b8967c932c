package httpx

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// The request rate and latency of the HTTP servers, on the admin port's
// /metrics. route is the http.ServeMux pattern that served the request
// ("" when none did: unknown paths stay one series, not one per path).
var (
	httpRequests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "relais_http_requests_total",
		Help: "HTTP requests served, by server, method, route pattern and status code.",
	}, []string{"server", "method", "route", "code"})
	httpDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "relais_http_request_duration_seconds",
		Help:    "Time to serve an HTTP request, by server, method and route pattern.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12), // 1 ms … ~24 s
	}, []string{"server", "method", "route"})
)

// Metrics counts and times the requests of server. It goes inside the
// middleware that routes nothing (after AccessLog), so that r.Pattern is
// the route the ServeMux below it chose.
func Metrics(server string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			begin := time.Now()
			rec := &responseRecorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			method := r.Method
			switch method {
			case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
			default:
				method = "other" // a client's invented method is not a new series
			}
			httpRequests.WithLabelValues(server, method, r.Pattern, strconv.Itoa(rec.statusCode())).Inc()
			httpDuration.WithLabelValues(server, method, r.Pattern).Observe(time.Since(begin).Seconds())
		})
	}
}
