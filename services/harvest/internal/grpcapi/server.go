// Package grpcapi serves relais.harvest.v1.HarvestService over the
// harvester and its store.
package grpcapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	harvestv1 "github.com/relais-data/relais/proto/relais/harvest/v1"
	"github.com/relais-data/relais/services/harvest/internal/harvester"
	"github.com/relais-data/relais/services/harvest/internal/remote"
	"github.com/relais-data/relais/services/harvest/internal/store"
)

// Queue runs a run's next steps: a job on the bus, or at once without one.
type Queue func(ctx context.Context, runID string) error

// Server implements HarvestService.
type Server struct {
	harvestv1.UnimplementedHarvestServiceServer
	h     *harvester.Harvester
	queue Queue
}

// New returns the server.
func New(h *harvester.Harvester, queue Queue) *Server { return &Server{h: h, queue: queue} }

// Register registers the service on r.
func (s *Server) Register(r grpc.ServiceRegistrar) { harvestv1.RegisterHarvestServiceServer(r, s) }

var sourceID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

func (s *Server) CreateSource(ctx context.Context, req *harvestv1.CreateSourceRequest) (*harvestv1.CreateSourceResponse, error) {
	in := req.GetSource()
	switch {
	case !sourceID.MatchString(in.GetId()):
		return nil, status.Error(codes.InvalidArgument, "id: lowercase letters, digits and dashes")
	case !slices.Contains(remote.Kinds, in.GetKind()):
		return nil, status.Errorf(codes.InvalidArgument, "kind: one of %v", remote.Kinds)
	case in.GetOnDeletion() != "" && in.GetOnDeletion() != "archive" && in.GetOnDeletion() != "keep":
		return nil, status.Error(codes.InvalidArgument, "on_deletion: archive or keep")
	case in.GetEverySeconds() < 0:
		return nil, status.Error(codes.InvalidArgument, "every_seconds: 0 or more")
	}
	params, _ := json.Marshal(remote.Params{Organizations: in.GetOrganizations(), SIRETs: in.GetSirets(), PageSize: int(in.GetPageSize())})
	src := store.Source{
		ID: in.GetId(), Name: in.GetName(), Kind: in.GetKind(), URL: in.GetUrl(), ParamsJSON: string(params),
		Organization: in.GetOrganization(), AutoApply: in.GetAutoApply(), OnDeletion: in.GetOnDeletion(),
		Every: time.Duration(in.GetEverySeconds()) * time.Second, CreatedAt: time.Now().UTC(),
	}
	if src.OnDeletion == "" {
		src.OnDeletion = "archive"
	}
	if src.Name == "" {
		src.Name = src.ID
	}
	if _, err := s.h.Open(src); err != nil { // the URL and parameters must make a source
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if err := s.h.Store.CreateSource(ctx, src); err != nil {
		return nil, status.Error(codes.AlreadyExists, err.Error())
	}
	return &harvestv1.CreateSourceResponse{Source: toSource(src)}, nil
}

func (s *Server) ListSources(ctx context.Context, _ *harvestv1.ListSourcesRequest) (*harvestv1.ListSourcesResponse, error) {
	srcs, err := s.h.Store.ListSources(ctx)
	if err != nil {
		return nil, fail(err)
	}
	resp := &harvestv1.ListSourcesResponse{}
	for _, src := range srcs {
		resp.Sources = append(resp.Sources, toSource(src))
	}
	return resp, nil
}

func (s *Server) DeleteSource(ctx context.Context, req *harvestv1.DeleteSourceRequest) (*harvestv1.DeleteSourceResponse, error) {
	if err := s.h.Store.DeleteSource(ctx, req.GetSourceId()); err != nil {
		return nil, fail(err)
	}
	return &harvestv1.DeleteSourceResponse{}, nil
}

func (s *Server) StartRun(ctx context.Context, req *harvestv1.StartRunRequest) (*harvestv1.StartRunResponse, error) {
	r, err := s.h.Start(ctx, req.GetSourceId())
	if err != nil {
		return nil, fail(err)
	}
	if err := s.queue(ctx, r.ID); err != nil {
		return nil, fail(err)
	}
	return s.report(ctx, r.ID)
}

func (s *Server) GetRun(ctx context.Context, req *harvestv1.GetRunRequest) (*harvestv1.GetRunResponse, error) {
	resp, err := s.report(ctx, req.GetRunId())
	if err != nil {
		return nil, err
	}
	return &harvestv1.GetRunResponse{Run: resp.GetRun()}, nil
}

func (s *Server) report(ctx context.Context, runID string) (*harvestv1.StartRunResponse, error) {
	rep, err := s.h.Store.Report(ctx, runID)
	if err != nil {
		return nil, fail(err)
	}
	run := toRun(rep.Run)
	run.Counts = map[string]int64{}
	for action, byStatus := range rep.Counts {
		for st, n := range byStatus {
			run.Counts[action+"/"+st] = n
		}
	}
	return &harvestv1.StartRunResponse{Run: run}, nil
}

func (s *Server) ListRuns(ctx context.Context, req *harvestv1.ListRunsRequest) (*harvestv1.ListRunsResponse, error) {
	runs, err := s.h.Store.ListRuns(ctx, req.GetSourceId())
	if err != nil {
		return nil, fail(err)
	}
	resp := &harvestv1.ListRunsResponse{}
	for _, r := range runs {
		resp.Runs = append(resp.Runs, toRun(r))
	}
	return resp, nil
}

func (s *Server) ListItems(ctx context.Context, req *harvestv1.ListItemsRequest) (*harvestv1.ListItemsResponse, error) {
	if _, err := s.h.Store.GetRun(ctx, req.GetRunId()); err != nil {
		return nil, fail(err)
	}
	items, err := s.h.Store.Items(ctx, req.GetRunId(), req.GetStatus())
	if err != nil {
		return nil, fail(err)
	}
	resp := &harvestv1.ListItemsResponse{}
	for _, it := range items {
		resp.Items = append(resp.Items, &harvestv1.Item{
			Seq: it.Seq, RemoteId: it.RemoteID, Action: it.Action, DatasetId: it.DatasetID, Title: it.Title,
			DiffJson: it.DiffJSON, Status: it.Status, Reason: it.Reason,
		})
	}
	return resp, nil
}

func (s *Server) Approve(ctx context.Context, req *harvestv1.ApproveRequest) (*harvestv1.ApproveResponse, error) {
	n, err := s.h.Approve(ctx, req.GetRunId(), req.GetSeqs())
	if err != nil {
		return nil, fail(err)
	}
	if err := s.queue(ctx, req.GetRunId()); err != nil {
		return nil, fail(err)
	}
	return &harvestv1.ApproveResponse{Approved: n}, nil
}

func fail(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, harvester.ErrState):
		return status.Error(codes.FailedPrecondition, err.Error())
	}
	return status.Error(codes.Internal, fmt.Sprintf("harvest: %v", err))
}

func toSource(src store.Source) *harvestv1.Source {
	var p remote.Params
	_ = json.Unmarshal([]byte(src.ParamsJSON), &p) // written by CreateSource
	return &harvestv1.Source{
		Id: src.ID, Name: src.Name, Kind: src.Kind, Url: src.URL, Organizations: p.Organizations, Sirets: p.SIRETs,
		PageSize: int32(p.PageSize), Organization: src.Organization, AutoApply: src.AutoApply, OnDeletion: src.OnDeletion,
		EverySeconds: int64(src.Every / time.Second),
	}
}

func toRun(r store.Run) *harvestv1.Run {
	out := &harvestv1.Run{
		Id: r.ID, SourceId: r.SourceID, Status: r.Status, StartedAtUnixMs: r.StartedAt.UnixMilli(),
		Error: r.Error, Seen: r.Seen, Skipped: r.Skipped,
	}
	if !r.FinishedAt.IsZero() {
		out.FinishedAtUnixMs = r.FinishedAt.UnixMilli()
	}
	return out
}
