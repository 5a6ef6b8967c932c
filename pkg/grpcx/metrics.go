package grpcx

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// The call rate and latency of every gRPC server, on the admin port's
// /metrics, by full method name and status code (the outermost
// interceptors: refused authentications and recovered panics count).
var (
	grpcHandled = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "relais_grpc_server_handled_total",
		Help: "gRPC calls served, by full method and status code.",
	}, []string{"method", "code"})
	grpcDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "relais_grpc_server_handling_seconds",
		Help:    "Time to serve a gRPC call (a stream: until it ends), by full method.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12), // 0.5 ms … ~12 s
	}, []string{"method"})
)

func observe(method string, begin time.Time, err error) {
	grpcHandled.WithLabelValues(method, status.Code(err).String()).Inc()
	grpcDuration.WithLabelValues(method).Observe(time.Since(begin).Seconds())
}

func metricsUnary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		begin := time.Now()
		resp, err := handler(ctx, req)
		observe(info.FullMethod, begin, err)
		return resp, err
	}
}

func metricsStream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		begin := time.Now()
		err := handler(srv, ss)
		observe(info.FullMethod, begin, err)
		return err
	}
}
