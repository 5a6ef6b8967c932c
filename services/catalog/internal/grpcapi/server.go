package grpcapi

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/app"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// Server implements catalogv1.CatalogServiceServer over the application
// layer.
type Server struct {
	catalogv1.UnimplementedCatalogServiceServer
	app *app.Service
	log *slog.Logger
	enc *encodings
}

// NewServer returns the gRPC handlers of svc.
func NewServer(svc *app.Service, log *slog.Logger) *Server {
	return &Server{app: svc, log: log, enc: newEncodings()}
}

// Register registers the service on r.
func (s *Server) Register(r grpc.ServiceRegistrar) {
	catalogv1.RegisterCatalogServiceServer(r, s)
}

// maskPaths reads an update mask: nil when it is absent (every field),
// empty but not nil when it names no field (nothing changes, as a PUT of
// "{}" in udata).
func maskPaths(m *fieldmaskpb.FieldMask) []string {
	if m == nil {
		return nil
	}
	if p := m.GetPaths(); p != nil {
		return p
	}
	return []string{}
}

func (s *Server) err(ctx context.Context, err error) error { return Status(ctx, s.log, err) }

func (s *Server) GetMe(ctx context.Context, _ *catalogv1.GetMeRequest) (*catalogv1.GetMeResponse, error) {
	u, err := s.app.GetMe(ctx)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.GetMeResponse{User: u}, nil
}

func (s *Server) UpdateMe(ctx context.Context, req *catalogv1.UpdateMeRequest) (*catalogv1.UpdateMeResponse, error) {
	u, err := s.app.UpdateMe(ctx, req.GetUser(), maskPaths(req.GetUpdateMask()))
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.UpdateMeResponse{User: u}, nil
}

func (s *Server) CreateUser(ctx context.Context, req *catalogv1.CreateUserRequest) (*catalogv1.CreateUserResponse, error) {
	u, token, err := s.app.CreateUser(ctx, req)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.CreateUserResponse{User: u, ApiToken: token}, nil
}

func (s *Server) GetUser(ctx context.Context, req *catalogv1.GetUserRequest) (*catalogv1.GetUserResponse, error) {
	u, err := s.app.GetUser(ctx, req.GetUser())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.GetUserResponse{User: u}, nil
}

func (s *Server) ListApiTokens(ctx context.Context, _ *catalogv1.ListApiTokensRequest) (*catalogv1.ListApiTokensResponse, error) {
	ts, err := s.app.ListAPITokens(ctx)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.ListApiTokensResponse{Tokens: ts}, nil
}

func (s *Server) CreateApiToken(ctx context.Context, req *catalogv1.CreateApiTokenRequest) (*catalogv1.CreateApiTokenResponse, error) {
	t, plaintext, err := s.app.CreateAPIToken(ctx, req.Name, req.GetScopes(), req.GetExpiresAt())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.CreateApiTokenResponse{Token: t, Plaintext: plaintext}, nil
}

func (s *Server) RevokeApiToken(ctx context.Context, req *catalogv1.RevokeApiTokenRequest) (*catalogv1.RevokeApiTokenResponse, error) {
	if err := s.app.RevokeAPIToken(ctx, req.GetId()); err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.RevokeApiTokenResponse{}, nil
}

// SignIn is not behind a caller: it is how a caller comes to be.
func (s *Server) SignIn(ctx context.Context, req *catalogv1.SignInRequest) (*catalogv1.SignInResponse, error) {
	u, tok, plaintext, err := s.app.SignIn(ctx, req.GetEmail(), req.GetPassword(), req.GetSessionTtl().AsDuration())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.SignInResponse{User: u, TokenId: tok.ID, Token: plaintext, ExpiresAt: timestamppb.New(tok.ExpiresAt)}, nil
}

func (s *Server) SetPassword(ctx context.Context, req *catalogv1.SetPasswordRequest) (*catalogv1.SetPasswordResponse, error) {
	if err := s.app.SetPassword(ctx, req.GetUser(), req.GetPassword()); err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.SetPasswordResponse{}, nil
}

func (s *Server) ListOrganizations(ctx context.Context, req *catalogv1.ListOrganizationsRequest) (*catalogv1.ListOrganizationsResponse, error) {
	orgs, total, err := s.app.ListOrganizations(ctx, req)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.ListOrganizationsResponse{Organizations: orgs, Total: total}, nil
}

func (s *Server) SuggestOrganizations(ctx context.Context, req *catalogv1.SuggestOrganizationsRequest) (*catalogv1.SuggestOrganizationsResponse, error) {
	refs, err := s.app.SuggestOrganizations(ctx, req.GetQ(), req.GetSize())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.SuggestOrganizationsResponse{Organizations: refs}, nil
}

func (s *Server) GetOrganization(ctx context.Context, req *catalogv1.GetOrganizationRequest) (*catalogv1.GetOrganizationResponse, error) {
	o, moved, err := s.app.GetOrganization(ctx, req.GetOrganization())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.GetOrganizationResponse{Organization: o, Moved: moved}, nil
}

func (s *Server) CreateOrganization(ctx context.Context, req *catalogv1.CreateOrganizationRequest) (*catalogv1.CreateOrganizationResponse, error) {
	o, err := s.app.CreateOrganization(ctx, req.GetOrganization())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.CreateOrganizationResponse{Organization: o}, nil
}

func (s *Server) UpdateOrganization(ctx context.Context, req *catalogv1.UpdateOrganizationRequest) (*catalogv1.UpdateOrganizationResponse, error) {
	o, err := s.app.UpdateOrganization(ctx, req.GetOrganization(), req.GetInput(), maskPaths(req.GetUpdateMask()))
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.UpdateOrganizationResponse{Organization: o}, nil
}

func (s *Server) DeleteOrganization(ctx context.Context, req *catalogv1.DeleteOrganizationRequest) (*catalogv1.DeleteOrganizationResponse, error) {
	if err := s.app.DeleteOrganization(ctx, req.GetOrganization()); err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.DeleteOrganizationResponse{}, nil
}

func (s *Server) AddMember(ctx context.Context, req *catalogv1.AddMemberRequest) (*catalogv1.AddMemberResponse, error) {
	m, err := s.app.AddMember(ctx, req.GetOrganization(), req.GetUser(), req.GetEmail(), req.GetRole())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.AddMemberResponse{Member: m}, nil
}

func (s *Server) UpdateMember(ctx context.Context, req *catalogv1.UpdateMemberRequest) (*catalogv1.UpdateMemberResponse, error) {
	m, err := s.app.UpdateMember(ctx, req.GetOrganization(), req.GetUser(), req.GetRole())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.UpdateMemberResponse{Member: m}, nil
}

func (s *Server) RemoveMember(ctx context.Context, req *catalogv1.RemoveMemberRequest) (*catalogv1.RemoveMemberResponse, error) {
	if err := s.app.RemoveMember(ctx, req.GetOrganization(), req.GetUser()); err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.RemoveMemberResponse{}, nil
}

func (s *Server) ListDatasets(ctx context.Context, req *catalogv1.ListDatasetsRequest) (*catalogv1.ListDatasetsResponse, error) {
	ds, total, err := s.app.ListDatasets(ctx, req)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	resp, err := s.enc.listResponse(ds, total)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return resp, nil
}

func (s *Server) GetDataset(ctx context.Context, req *catalogv1.GetDatasetRequest) (*catalogv1.GetDatasetResponse, error) {
	d, moved, err := s.app.GetDataset(ctx, req.GetDataset())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	resp, err := s.enc.getResponse(d, moved)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return resp, nil
}

func (s *Server) CreateDataset(ctx context.Context, req *catalogv1.CreateDatasetRequest) (*catalogv1.CreateDatasetResponse, error) {
	d, err := s.app.CreateDataset(ctx, req.GetDataset())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.CreateDatasetResponse{Dataset: d}, nil
}

func (s *Server) UpdateDataset(ctx context.Context, req *catalogv1.UpdateDatasetRequest) (*catalogv1.UpdateDatasetResponse, error) {
	d, err := s.app.UpdateDataset(ctx, req.GetDataset(), req.GetInput(), maskPaths(req.GetUpdateMask()))
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.UpdateDatasetResponse{Dataset: d}, nil
}

func (s *Server) DeleteDataset(ctx context.Context, req *catalogv1.DeleteDatasetRequest) (*catalogv1.DeleteDatasetResponse, error) {
	if err := s.app.DeleteDataset(ctx, req.GetDataset()); err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.DeleteDatasetResponse{}, nil
}

func (s *Server) GetResource(ctx context.Context, req *catalogv1.GetResourceRequest) (*catalogv1.GetResourceResponse, error) {
	r, dsID, err := s.app.GetResource(ctx, req.GetResourceId())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.GetResourceResponse{Resource: r, DatasetId: dsID}, nil
}

func (s *Server) CreateResource(ctx context.Context, req *catalogv1.CreateResourceRequest) (*catalogv1.CreateResourceResponse, error) {
	r, err := s.app.CreateResource(ctx, req.GetDataset(), req.GetResource())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.CreateResourceResponse{Resource: r}, nil
}

func (s *Server) UpdateResource(ctx context.Context, req *catalogv1.UpdateResourceRequest) (*catalogv1.UpdateResourceResponse, error) {
	r, err := s.app.UpdateResource(ctx, req.GetDataset(), req.GetResourceId(), req.GetInput(), maskPaths(req.GetUpdateMask()))
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.UpdateResourceResponse{Resource: r}, nil
}

func (s *Server) DeleteResource(ctx context.Context, req *catalogv1.DeleteResourceRequest) (*catalogv1.DeleteResourceResponse, error) {
	if err := s.app.DeleteResource(ctx, req.GetDataset(), req.GetResourceId()); err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.DeleteResourceResponse{}, nil
}

func (s *Server) ReorderResources(ctx context.Context, req *catalogv1.ReorderResourcesRequest) (*catalogv1.ReorderResourcesResponse, error) {
	rs, err := s.app.ReorderResources(ctx, req.GetDataset(), req.GetResourceIds())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.ReorderResourcesResponse{Resources: rs}, nil
}

func (s *Server) UpdateExtras(ctx context.Context, req *catalogv1.UpdateExtrasRequest) (*catalogv1.UpdateExtrasResponse, error) {
	extras, err := s.app.UpdateExtras(ctx, req.GetDataset(), req.GetResourceId(), req.GetMergeJson(), req.GetDeleteKeys())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.UpdateExtrasResponse{ExtrasJson: extras}, nil
}

func (s *Server) GetReferenceLists(context.Context, *catalogv1.GetReferenceListsRequest) (*catalogv1.GetReferenceListsResponse, error) {
	return s.app.ReferenceLists(), nil
}

func (s *Server) GetSiteMetrics(ctx context.Context, _ *catalogv1.GetSiteMetricsRequest) (*catalogv1.GetSiteMetricsResponse, error) {
	m, err := s.app.SiteMetrics(ctx)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.GetSiteMetricsResponse{Metrics: m}, nil
}

func (s *Server) SetMetrics(ctx context.Context, req *catalogv1.SetMetricsRequest) (*catalogv1.SetMetricsResponse, error) {
	objects := make([]store.ObjectMetrics, 0, len(req.GetObjects()))
	for _, o := range req.GetObjects() {
		objects = append(objects, store.ObjectMetrics{ObjectType: o.GetObjectType(), ObjectID: o.GetObjectId(), Metrics: o.GetMetrics()})
	}
	n, err := s.app.SetMetrics(ctx, objects)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.SetMetricsResponse{Updated: n}, nil
}

// Import applies each message of the stream in its own transaction and
// answers with the totals once the client closes its side.
func (s *Server) Import(stream grpc.ClientStreamingServer[catalogv1.ImportRequest, catalogv1.ImportResponse]) error {
	ctx := stream.Context()
	var total catalogv1.ImportResponse
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&total)
		}
		if err != nil {
			return err
		}
		c, err := s.app.Import(ctx, req.GetOrganizations(), req.GetDatasets())
		if err != nil {
			return s.err(ctx, err)
		}
		total.OrganizationsCreated += c.OrganizationsCreated
		total.OrganizationsSkipped += c.OrganizationsSkipped
		total.DatasetsCreated += c.DatasetsCreated
		total.DatasetsSkipped += c.DatasetsSkipped
	}
}
