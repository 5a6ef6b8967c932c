package grpcapi

import (
	"context"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

func (s *Server) ListReuses(ctx context.Context, req *catalogv1.ListReusesRequest) (*catalogv1.ListReusesResponse, error) {
	rs, total, err := s.app.ListReuses(ctx, req)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.ListReusesResponse{Reuses: rs, Total: total}, nil
}

func (s *Server) GetReuse(ctx context.Context, req *catalogv1.GetReuseRequest) (*catalogv1.GetReuseResponse, error) {
	r, moved, err := s.app.GetReuse(ctx, req.GetReuse())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.GetReuseResponse{Reuse: r, Moved: moved}, nil
}

func (s *Server) CreateReuse(ctx context.Context, req *catalogv1.CreateReuseRequest) (*catalogv1.CreateReuseResponse, error) {
	r, err := s.app.CreateReuse(ctx, req.GetReuse())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.CreateReuseResponse{Reuse: r}, nil
}

func (s *Server) UpdateReuse(ctx context.Context, req *catalogv1.UpdateReuseRequest) (*catalogv1.UpdateReuseResponse, error) {
	r, err := s.app.UpdateReuse(ctx, req.GetReuse(), req.GetInput(), maskPaths(req.GetUpdateMask()))
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.UpdateReuseResponse{Reuse: r}, nil
}

func (s *Server) DeleteReuse(ctx context.Context, req *catalogv1.DeleteReuseRequest) (*catalogv1.DeleteReuseResponse, error) {
	if err := s.app.DeleteReuse(ctx, req.GetReuse()); err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.DeleteReuseResponse{}, nil
}

func (s *Server) AddReuseDataset(ctx context.Context, req *catalogv1.AddReuseDatasetRequest) (*catalogv1.AddReuseDatasetResponse, error) {
	r, added, err := s.app.AddReuseDataset(ctx, req.GetReuse(), req.GetDataset())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.AddReuseDatasetResponse{Reuse: r, Added: added}, nil
}

func (s *Server) ListFollowers(ctx context.Context, req *catalogv1.ListFollowersRequest) (*catalogv1.ListFollowersResponse, error) {
	fs, total, err := s.app.ListFollowers(ctx, req)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.ListFollowersResponse{Follows: fs, Total: total}, nil
}

func (s *Server) FollowObject(ctx context.Context, req *catalogv1.FollowObjectRequest) (*catalogv1.FollowObjectResponse, error) {
	created, n, err := s.app.Follow(ctx, req.GetObjectType(), req.GetObjectId())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.FollowObjectResponse{Created: created, Followers: n}, nil
}

func (s *Server) UnfollowObject(ctx context.Context, req *catalogv1.UnfollowObjectRequest) (*catalogv1.UnfollowObjectResponse, error) {
	n, err := s.app.Unfollow(ctx, req.GetObjectType(), req.GetObjectId())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &catalogv1.UnfollowObjectResponse{Followers: n}, nil
}
