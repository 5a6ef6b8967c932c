package grpcapi

import (
	"context"
	"crypto/subtle"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// ServiceTokenHeader is the metadata key of the shared service token.
const ServiceTokenHeader = "x-service-token"

// authorize checks the caller's service token in constant time.
func (s *Server) authorize(ctx context.Context) error {
	got := metadata.ValueFromIncomingContext(ctx, ServiceTokenHeader)
	if len(got) != 1 || subtle.ConstantTimeCompare([]byte(got[0]), s.token) != 1 {
		return status.Error(codes.Unauthenticated, "missing or invalid "+ServiceTokenHeader)
	}
	return nil
}
