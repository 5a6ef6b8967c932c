package grpcapi

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/grpc"

	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage/internal/app"
)

// Server implements storagev1.StorageServiceServer over the application
// layer.
type Server struct {
	storagev1.UnimplementedStorageServiceServer
	app   *app.Service
	token []byte
	log   *slog.Logger
}

// NewServer returns the gRPC handlers of svc; every RPC but
// ListAllowedExtensions requires token in x-service-token.
func NewServer(svc *app.Service, token string, log *slog.Logger) (*Server, error) {
	if token == "" {
		return nil, errors.New("storage grpc: empty service token")
	}
	return &Server{app: svc, token: []byte(token), log: log}, nil
}

// Register registers the service on r.
func (s *Server) Register(r grpc.ServiceRegistrar) {
	storagev1.RegisterStorageServiceServer(r, s)
}

func (s *Server) err(ctx context.Context, err error) error { return Status(ctx, s.log, err) }

func (s *Server) ListAllowedExtensions(context.Context, *storagev1.ListAllowedExtensionsRequest) (*storagev1.ListAllowedExtensionsResponse, error) {
	return &storagev1.ListAllowedExtensionsResponse{Extensions: s.app.AllowedExtensions()}, nil
}
