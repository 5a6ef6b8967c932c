package grpcapi

import (
	"context"
	"crypto/subtle"
	"log/slog"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	previewv1 "github.com/relais-data/relais/proto/relais/preview/v1"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// ServiceTokenHeader is the metadata key carrying the service token.
const ServiceTokenHeader = "x-service-token"

// Options are what the server serves from.
type Options struct {
	Records *records.Store
	Tabular *tabular.Store
	// Reanalyze analyzes a resource again, now.
	Reanalyze    func(ctx context.Context, rid string) error
	ServiceToken string
	Log          *slog.Logger
}

// Server implements previewv1.PreviewServiceServer.
type Server struct {
	previewv1.UnimplementedPreviewServiceServer
	opts Options
}

// NewServer returns the server.
func NewServer(opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Server{opts: opts}
}

// Register registers the service on r.
func (s *Server) Register(r grpc.ServiceRegistrar) { previewv1.RegisterPreviewServiceServer(r, s) }

func (s *Server) GetTabularResource(ctx context.Context, req *previewv1.GetTabularResourceRequest) (*previewv1.GetTabularResourceResponse, error) {
	body, err := s.opts.Tabular.Resource(ctx, req.GetResourceId(), req.GetBaseUrl())
	if err != nil {
		return nil, s.status(ctx, err)
	}
	return &previewv1.GetTabularResourceResponse{Json: body}, nil
}

func (s *Server) GetTabularProfile(ctx context.Context, req *previewv1.GetTabularProfileRequest) (*previewv1.GetTabularProfileResponse, error) {
	body, err := s.opts.Tabular.Profile(ctx, req.GetResourceId())
	if err != nil {
		return nil, s.status(ctx, err)
	}
	return &previewv1.GetTabularProfileResponse{Json: body}, nil
}

func (s *Server) GetTabularData(ctx context.Context, req *previewv1.GetTabularDataRequest) (*previewv1.GetTabularDataResponse, error) {
	body, err := s.opts.Tabular.DataQuery(ctx, req.GetResourceId(), req.GetQuery(), req.GetBaseUrl())
	if err != nil {
		return nil, s.status(ctx, err)
	}
	return &previewv1.GetTabularDataResponse{Json: body}, nil
}

func (s *Server) GetTabularSwagger(ctx context.Context, req *previewv1.GetTabularSwaggerRequest) (*previewv1.GetTabularSwaggerResponse, error) {
	body, err := s.opts.Tabular.Swagger(ctx, req.GetResourceId())
	if err != nil {
		return nil, s.status(ctx, err)
	}
	return &previewv1.GetTabularSwaggerResponse{Yaml: body}, nil
}

func (s *Server) ExportTabularData(req *previewv1.ExportTabularDataRequest, stream previewv1.PreviewService_ExportTabularDataServer) error {
	ctx := stream.Context()
	if f := req.GetFormat(); f != "csv" && f != "json" {
		return status.Errorf(codes.InvalidArgument, "format %q: want csv or json", f)
	}
	w := newChunkWriter(func(b []byte) error {
		return stream.Send(&previewv1.ExportTabularDataResponse{Data: b})
	})
	if err := s.opts.Tabular.ExportQuery(ctx, req.GetResourceId(), req.GetQuery(), req.GetFormat(), w); err != nil {
		return s.status(ctx, err)
	}
	return s.status(ctx, w.Flush())
}

func (s *Server) Reanalyze(ctx context.Context, req *previewv1.ReanalyzeRequest) (*previewv1.ReanalyzeResponse, error) {
	if err := s.authorize(ctx); err != nil {
		return nil, err
	}
	if req.GetResourceId() == "" {
		return nil, status.Error(codes.InvalidArgument, "resource_id is required")
	}
	if err := s.opts.Reanalyze(ctx, req.GetResourceId()); err != nil {
		return nil, s.status(ctx, err)
	}
	st, err := s.GetPreviewStatus(ctx, &previewv1.GetPreviewStatusRequest{ResourceId: req.GetResourceId()})
	if err != nil {
		return nil, err
	}
	return &previewv1.ReanalyzeResponse{Status: st}, nil
}

// authorize checks the caller's service token.
func (s *Server) authorize(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	got := md.Get(ServiceTokenHeader)
	if s.opts.ServiceToken == "" || len(got) != 1 || subtle.ConstantTimeCompare([]byte(got[0]), []byte(s.opts.ServiceToken)) != 1 {
		return status.Error(codes.Unauthenticated, "a valid x-service-token is required")
	}
	return nil
}
