package httpx

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain wraps h in mws, the first one outermost. The usual stack is
//
//	httpx.Chain(mux, httpx.OTel("gateway"), httpx.AccessLog(log), httpx.Recover(log))
//
// so that access logs carry the trace id and see the 500 of a panic.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// OTel starts a server span per request from the incoming W3C trace
// context. Spans are named "METHOD pattern" once an http.ServeMux has
// routed the request, else "METHOD operation".
// opts may override the global tracer provider and propagator.
func OTel(operation string, opts ...otelhttp.Option) Middleware {
	opts = append([]otelhttp.Option{otelhttp.WithSpanNameFormatter(spanName)}, opts...)
	return otelhttp.NewMiddleware(operation, opts...)
}

func spanName(operation string, r *http.Request) string {
	switch {
	case r.Pattern == "":
		return r.Method + " " + operation
	case r.Pattern[0] == '/':
		return r.Method + " " + r.Pattern
	default:
		return r.Pattern // already "GET /path"
	}
}

// Recover turns a panic into a logged 500 {"message":"Internal Server
// Error"}. When the response had already started, the connection is
// aborted instead, so that the client does not take a truncated body for a
// complete one. http.ErrAbortHandler passes through unlogged.
func Recover(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &responseRecorder{ResponseWriter: w}
			defer func() {
				p := recover()
				if p == nil {
					return
				}
				if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(p)
				}
				log.ErrorContext(r.Context(), "http handler panic",
					"method", r.Method, "path", r.URL.Path, "err", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status != 0 {
					panic(http.ErrAbortHandler)
				}
				Error(rec, http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError))
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// AccessLog logs one "http request" record per request, at error level
// for 5xx responses. Client addresses are not logged (personal data).
func AccessLog(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			begin := time.Now()
			rec := &responseRecorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			level := slog.LevelInfo
			if rec.statusCode() >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(r.Context(), level, "http request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", r.Pattern),
				slog.Int("status", rec.statusCode()),
				slog.Int64("bytes", rec.bytes),
				slog.Float64("duration_ms", float64(time.Since(begin).Microseconds())/1000),
			)
		})
	}
}
