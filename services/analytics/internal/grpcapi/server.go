// Package grpcapi serves relais.analytics.v1.AnalyticsService from the
// counts store.
package grpcapi

import (
	"context"
	"regexp"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	"github.com/relais-data/relais/services/analytics/internal/store"
)

// maxIDs bounds the objects of one request.
const maxIDs = 1000

var objectTypes = map[string]bool{"dataset": true, "resource": true, "organization": true, "reuse": true, "site": true}

// month is "YYYY-MM" with a real month.
var month = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// Server implements AnalyticsServiceServer.
type Server struct {
	analyticsv1.UnimplementedAnalyticsServiceServer
	store *store.Store
}

// NewServer serves the counts of st.
func NewServer(st *store.Store) *Server { return &Server{store: st} }

// Register registers the service on r.
func (s *Server) Register(r grpc.ServiceRegistrar) { analyticsv1.RegisterAnalyticsServiceServer(r, s) }

func (s *Server) GetTotals(ctx context.Context, req *analyticsv1.GetTotalsRequest) (*analyticsv1.GetTotalsResponse, error) {
	if err := checkObjects(req.GetObjectType(), req.GetObjectIds()); err != nil {
		return nil, err
	}
	totals, err := s.store.Totals(ctx, req.GetObjectType(), req.GetObjectIds())
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	resp := &analyticsv1.GetTotalsResponse{Totals: make(map[string]*analyticsv1.Counts, len(totals))}
	for id, metrics := range totals {
		resp.Totals[id] = &analyticsv1.Counts{Metrics: metrics}
	}
	return resp, nil
}

func (s *Server) ListMonthly(ctx context.Context, req *analyticsv1.ListMonthlyRequest) (*analyticsv1.ListMonthlyResponse, error) {
	if err := checkObjects(req.GetObjectType(), req.GetObjectIds()); err != nil {
		return nil, err
	}
	for _, m := range []string{req.GetFromMonth(), req.GetToMonth()} {
		if m != "" && !month.MatchString(m) {
			return nil, status.Errorf(codes.InvalidArgument, "month %.40q: want YYYY-MM", m)
		}
	}
	if req.GetOrganizationId() != "" && req.GetObjectType() != "dataset" {
		return nil, status.Error(codes.InvalidArgument, "organization_id selects datasets: object_type must be dataset")
	}
	counts, err := s.store.Monthly(ctx, store.MonthlyQuery{
		ObjectType: req.GetObjectType(), ObjectIDs: req.GetObjectIds(), Metrics: req.GetMetrics(),
		From: req.GetFromMonth(), To: req.GetToMonth(), Organization: req.GetOrganizationId(),
	})
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	resp := &analyticsv1.ListMonthlyResponse{Counts: make([]*analyticsv1.MonthCount, len(counts))}
	for i, c := range counts {
		resp.Counts[i] = &analyticsv1.MonthCount{ObjectId: c.ObjectID, Metric: c.Metric, Month: c.Month, Count: c.Count}
	}
	return resp, nil
}

func checkObjects(objectType string, ids []string) error {
	if !objectTypes[objectType] {
		return status.Errorf(codes.InvalidArgument, "object_type %.40q: want dataset, resource, organization, reuse or site", objectType)
	}
	if len(ids) > maxIDs {
		return status.Errorf(codes.InvalidArgument, "%d object ids: at most %d per request", len(ids), maxIDs)
	}
	return nil
}
