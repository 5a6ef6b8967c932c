// Package grpcx builds the gRPC servers and clients of Relais services with
// the same defaults everywhere: OpenTelemetry stats handlers, panic
// recovery, API-key authentication, the standard health service, server
// reflection, keepalive and a 64 MiB message limit.
package grpcx

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	"github.com/relais-data/relais/pkg/app"
)

// MaxMessageSize is the default limit on sent and received messages.
const MaxMessageSize = 64 << 20

// ServerOptions configures NewServer.
type ServerOptions struct {
	// Log receives recovered panics and authentication failures that are
	// not status errors; nil means slog.Default().
	Log *slog.Logger
	// Authenticate, when set, is called for every RPC (except the health
	// and reflection services) with the x-api-key metadata value, "" when
	// absent. It returns the context the handler gets (e.g. carrying the
	// user) or a status error such as codes.Unauthenticated; other errors
	// become codes.Internal.
	Authenticate func(ctx context.Context, apiKey string) (context.Context, error)
}

// Server is a *grpc.Server (register services on it, Serve, Stop…) with its
// health service.
type Server struct {
	*grpc.Server
	// Health is the registered grpc.health.v1 service; set per-service
	// status with Health.SetServingStatus. The overall status ("") is
	// SERVING until Shutdown.
	Health *health.Server
}

// MaxConnectionAge is how long a client connection lives before the server
// asks the client to open a new one (GOAWAY; RPCs in flight finish, with no
// time limit). Clients then resolve their dns:/// target again and their
// round robin takes in the pods started since, as a scale-up or a rollout
// adds them behind a headless Service.
const MaxConnectionAge = 5 * time.Minute

// NewServer returns a server with the Relais interceptors, the health
// service and reflection registered. extra options are appended (they may
// override the message size limits).
func NewServer(opts ServerOptions, extra ...grpc.ServerOption) *Server {
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	unary := []grpc.UnaryServerInterceptor{metricsUnary(), recoverUnary(log)}
	stream := []grpc.StreamServerInterceptor{metricsStream(), recoverStream(log)}
	if opts.Authenticate != nil {
		unary = append(unary, authUnary(log, opts.Authenticate))
		stream = append(stream, authStream(log, opts.Authenticate))
	}
	sopts := append([]grpc.ServerOption{
		grpc.StatsHandler(otelgrpc.NewServerHandler()),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
		grpc.MaxRecvMsgSize(MaxMessageSize),
		grpc.MaxSendMsgSize(MaxMessageSize),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime:             10 * time.Second, // below the clients' 30s pings
			PermitWithoutStream: true,
		}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: time.Minute, Timeout: 20 * time.Second, MaxConnectionAge: MaxConnectionAge}),
	}, extra...)

	s := &Server{Server: grpc.NewServer(sopts...), Health: health.NewServer()}
	healthpb.RegisterHealthServer(s.Server, s.Health)
	reflection.Register(s.Server)
	return s
}

// Health returns the health service of s.
func Health(s *Server) *health.Server {
	return s.Health
}

// Listen listens on a TCP address such as ":9000" or "127.0.0.1:0".
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("grpcx: listen on %s: %w", addr, err)
	}
	return ln, nil
}

// Shutdown marks every service NOT_SERVING, then stops gracefully, and
// forcibly when ctx ends first (returning ctx's error).
func (s *Server) Shutdown(ctx context.Context) error {
	s.Health.Shutdown()
	done := make(chan struct{})
	go func() {
		s.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.Stop()
		<-done
		return fmt.Errorf("grpcx: graceful stop: %w", ctx.Err())
	}
}

// Module returns an app module that serves s on ln and shuts it down on
// Stop. A Serve failure is reported with app.Fail.
func (s *Server) Module(name string, ln net.Listener, deps ...string) app.Module {
	return app.Module{
		Name: name,
		Deps: deps,
		Start: func(ctx context.Context) error {
			go func() {
				if err := s.Serve(ln); err != nil {
					app.Fail(ctx, fmt.Errorf("serve gRPC on %s: %w", ln.Addr(), err))
				}
			}()
			return nil
		},
		Stop: s.Shutdown,
	}
}
