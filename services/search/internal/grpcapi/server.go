// Package grpcapi serves relais.search.v1 on the indexes and the indexer.
package grpcapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/pkg/searchindex"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/search/internal/indexer"
)

// ServiceTokenHeader is the metadata key of the admin RPCs' token.
const ServiceTokenHeader = "x-service-token"

// Suggestion sizes.
const (
	defaultSuggestSize = 10
	maxSuggestSize     = 100
)

// Server implements searchv1.SearchServiceServer.
type Server struct {
	searchv1.UnimplementedSearchServiceServer
	datasets, organizations, reuses searchindex.Index
	indexer                         *indexer.Indexer
	tags                            *tagDictionary
	token                           []byte
	log                             *slog.Logger
}

// NewServer returns the server; token guards Reindex and Verify.
func NewServer(datasets, organizations, reuses searchindex.Index, x *indexer.Indexer, token string, log *slog.Logger) (*Server, error) {
	if token == "" {
		return nil, errors.New("search grpc: empty service token")
	}
	return &Server{
		datasets: datasets, organizations: organizations, reuses: reuses, indexer: x,
		tags: newTagDictionary(datasets), token: []byte(token), log: log,
	}, nil
}

// Register registers the service on r.
func (s *Server) Register(r grpc.ServiceRegistrar) { searchv1.RegisterSearchServiceServer(r, s) }

// TagsChanged says the dataset index changed, so that tag suggestions are
// read again from it (at most every few seconds).
func (s *Server) TagsChanged() { s.tags.invalidate() }

func (s *Server) SearchDatasets(ctx context.Context, req *searchv1.SearchDatasetsRequest) (*searchv1.SearchDatasetsResponse, error) {
	h, err := s.search(ctx, s.datasets, req.GetQuery())
	if err != nil {
		return nil, err
	}
	return &searchv1.SearchDatasetsResponse{Hits: h}, nil
}

func (s *Server) SearchOrganizations(ctx context.Context, req *searchv1.SearchOrganizationsRequest) (*searchv1.SearchOrganizationsResponse, error) {
	h, err := s.search(ctx, s.organizations, req.GetQuery())
	if err != nil {
		return nil, err
	}
	return &searchv1.SearchOrganizationsResponse{Hits: h}, nil
}

func (s *Server) SearchReuses(ctx context.Context, req *searchv1.SearchReusesRequest) (*searchv1.SearchReusesResponse, error) {
	h, err := s.search(ctx, s.reuses, req.GetQuery())
	if err != nil {
		return nil, err
	}
	return &searchv1.SearchReusesResponse{Hits: h}, nil
}

func (s *Server) search(ctx context.Context, idx searchindex.Index, q *searchv1.Query) (*searchv1.Hits, error) {
	iq, err := indexQuery(q, time.Now())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	res, err := idx.Search(ctx, iq)
	if err != nil {
		return nil, s.err(ctx, err)
	}
	facets := iq.Facets
	for name := range iq.RangeFacets {
		facets = append(facets, name)
	}
	return hits(res, orderAsAsked(q.GetFacets(), facets)), nil
}

// orderAsAsked returns the asked facets that were computed, in the asked
// order.
func orderAsAsked(asked, computed []string) []string {
	out := make([]string, 0, len(asked))
	for _, a := range asked {
		for _, c := range computed {
			if a == c {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

func (s *Server) SuggestDatasets(ctx context.Context, req *searchv1.SuggestDatasetsRequest) (*searchv1.SuggestDatasetsResponse, error) {
	ids, err := s.suggest(ctx, s.datasets, req.GetSuggestion())
	if err != nil {
		return nil, err
	}
	return &searchv1.SuggestDatasetsResponse{Ids: ids}, nil
}

func (s *Server) SuggestOrganizations(ctx context.Context, req *searchv1.SuggestOrganizationsRequest) (*searchv1.SuggestOrganizationsResponse, error) {
	ids, err := s.suggest(ctx, s.organizations, req.GetSuggestion())
	if err != nil {
		return nil, err
	}
	return &searchv1.SuggestOrganizationsResponse{Ids: ids}, nil
}

func (s *Server) suggest(ctx context.Context, idx searchindex.Index, sg *searchv1.Suggestion) ([]string, error) {
	if sg.GetQ() == "" {
		return []string{}, nil
	}
	res, err := idx.Search(ctx, searchindex.Query{Text: sg.GetQ(), PageSize: suggestSize(sg)})
	if err != nil {
		return nil, s.err(ctx, err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

func suggestSize(sg *searchv1.Suggestion) int {
	switch n := int(sg.GetSize()); {
	case n <= 0:
		return defaultSuggestSize
	case n > maxSuggestSize:
		return maxSuggestSize
	default:
		return n
	}
}

func (s *Server) SuggestTags(ctx context.Context, req *searchv1.SuggestTagsRequest) (*searchv1.SuggestTagsResponse, error) {
	tags, err := s.tags.suggest(ctx, req.GetSuggestion().GetQ(), suggestSize(req.GetSuggestion()))
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &searchv1.SuggestTagsResponse{Tags: tags}, nil
}

func (s *Server) Reindex(_ *searchv1.ReindexRequest, stream grpc.ServerStreamingServer[searchv1.ReindexResponse]) error {
	ctx := stream.Context()
	if err := s.authorize(ctx); err != nil {
		return err
	}
	var sendErr error
	err := s.indexer.Reindex(ctx, func(p indexer.Progress) {
		if sendErr == nil {
			sendErr = stream.Send(&searchv1.ReindexResponse{Phase: p.Phase, Done: p.Done, Total: p.Total})
		}
	})
	if errors.Is(err, indexer.ErrReindexing) {
		return status.Error(codes.FailedPrecondition, err.Error())
	}
	if err != nil {
		return s.err(ctx, err)
	}
	s.tags.invalidate()
	return sendErr
}

func (s *Server) Verify(ctx context.Context, req *searchv1.VerifyRequest) (*searchv1.VerifyResponse, error) {
	if err := s.authorize(ctx); err != nil {
		return nil, err
	}
	rep, err := s.indexer.Verify(ctx, req.GetRepair())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &searchv1.VerifyResponse{
		Checked: rep.Checked, Missing: rep.Missing, Stale: rep.Stale, Extra: rep.Extra,
		Repaired: rep.Repaired, IndexedDocuments: rep.Indexed, ExpectedDocuments: rep.Expected,
	}, nil
}

func (s *Server) authorize(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get(ServiceTokenHeader) {
		if subtle.ConstantTimeCompare([]byte(v), s.token) == 1 {
			return nil
		}
	}
	return status.Error(codes.Unauthenticated, "search: missing or wrong "+ServiceTokenHeader)
}

// err turns an error into a status: INVALID_ARGUMENT for the query's own
// faults, the context's end as such, INTERNAL (logged) otherwise.
func (s *Server) err(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, searchindex.ErrInvalidQuery):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	s.log.ErrorContext(ctx, "search failed", "err", err)
	return status.Error(codes.Internal, "search failed")
}
