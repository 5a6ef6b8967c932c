package grpcx

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func recoverUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = recovered(ctx, log, info.FullMethod, p)
			}
		}()
		return handler(ctx, req)
	}
}

func recoverStream(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = recovered(ss.Context(), log, info.FullMethod, p)
			}
		}()
		return handler(srv, ss)
	}
}

func recovered(ctx context.Context, log *slog.Logger, method string, p any) error {
	log.ErrorContext(ctx, "grpc handler panic",
		"method", method, "err", fmt.Sprint(p), "stack", string(debug.Stack()))
	return status.Error(codes.Internal, "internal error")
}

// skipAuth reports whether method belongs to a service that must answer
// without credentials: health checks (kubelet probes) and reflection.
func skipAuth(method string) bool {
	return strings.HasPrefix(method, "/grpc.health.v1.Health/") ||
		strings.HasPrefix(method, "/grpc.reflection.")
}

func authUnary(log *slog.Logger, authenticate func(context.Context, string) (context.Context, error)) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if skipAuth(info.FullMethod) {
			return handler(ctx, req)
		}
		ctx, err := authenticateCall(ctx, log, info.FullMethod, authenticate)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

func authStream(log *slog.Logger, authenticate func(context.Context, string) (context.Context, error)) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if skipAuth(info.FullMethod) {
			return handler(srv, ss)
		}
		ctx, err := authenticateCall(ss.Context(), log, info.FullMethod, authenticate)
		if err != nil {
			return err
		}
		return handler(srv, &contextStream{ServerStream: ss, ctx: ctx})
	}
}

func authenticateCall(ctx context.Context, log *slog.Logger, method string, authenticate func(context.Context, string) (context.Context, error)) (context.Context, error) {
	actx, err := authenticate(ctx, APIKeyFromIncoming(ctx))
	if err != nil {
		if _, ok := status.FromError(err); ok {
			return nil, err
		}
		log.ErrorContext(ctx, "grpc authenticate failed", "method", method, "err", err)
		return nil, status.Error(codes.Internal, "authentication failed")
	}
	if actx == nil {
		actx = ctx
	}
	return actx, nil
}

// contextStream replaces the context of a server stream.
type contextStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *contextStream) Context() context.Context { return s.ctx }
