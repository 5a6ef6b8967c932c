package grpcx

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
)

// APIKeyHeader is the metadata key carrying the caller's API key, as the
// HTTP header X-API-KEY does on data.gouv.fr's API.
const APIKeyHeader = "x-api-key"

// roundRobin is the default service config of Dial's connections; a
// service config the resolver supplies (DNS TXT records) wins over it.
const roundRobin = `{"loadBalancingConfig":[{"round_robin":{}}]}`

// Dial returns a client connection (grpc.NewClient: it connects lazily)
// without TLS, with the OpenTelemetry client stats handler, keepalive pings
// every 30s during RPCs, the 64 MiB message limit and round-robin load
// balancing. extra options are appended.
//
// Round robin matters for dns:///<headless Service>:<port> targets: the
// resolver returns one address per pod and calls are spread over all of
// them, where pick_first (gRPC's default) would send every call of a
// long-lived connection to one pod. With a single address (a ClusterIP
// Service, loopback) it behaves as pick_first. A comma-separated list of
// addresses (or static:///host:port,host:port) is balanced the same way.
func Dial(target string, extra ...grpc.DialOption) (*grpc.ClientConn, error) {
	target, static, err := addressList(target)
	if err != nil {
		return nil, err
	}
	if static != nil {
		extra = append([]grpc.DialOption{static}, extra...)
	}
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(roundRobin),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(MaxMessageSize),
			grpc.MaxCallSendMsgSize(MaxMessageSize),
		),
	}, extra...)
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, fmt.Errorf("grpcx: dial %s: %w", target, err)
	}
	return conn, nil
}

// WithAPIKey returns ctx whose outgoing metadata carries key; an empty key
// leaves ctx unchanged.
func WithAPIKey(ctx context.Context, key string) context.Context {
	if key == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, APIKeyHeader, key)
}

// APIKeyFromIncoming returns the API key of an incoming call, or "".
func APIKeyFromIncoming(ctx context.Context) string {
	if v := metadata.ValueFromIncomingContext(ctx, APIKeyHeader); len(v) > 0 {
		return v[0]
	}
	return ""
}
