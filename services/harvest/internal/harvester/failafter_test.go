package harvester_test

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// failAfter is the real catalog client that becomes unavailable after
// some Import streams have been sent (a fault injected to stand for a
// crash between the catalog's write and the harvester's record of it):
// the stream's write goes through, its answer is lost.
type failAfter struct {
	catalogv1.CatalogServiceClient
	writes int
}

func (f *failAfter) Import(ctx context.Context, opts ...grpc.CallOption) (grpc.ClientStreamingClient[catalogv1.ImportRequest, catalogv1.ImportResponse], error) {
	s, err := f.CatalogServiceClient.Import(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return &lostAnswer{ClientStreamingClient: s, f: f}, nil
}

type lostAnswer struct {
	grpc.ClientStreamingClient[catalogv1.ImportRequest, catalogv1.ImportResponse]
	f *failAfter
}

func (l *lostAnswer) CloseAndRecv() (*catalogv1.ImportResponse, error) {
	resp, err := l.ClientStreamingClient.CloseAndRecv()
	if err != nil {
		return resp, err
	}
	if l.f.writes--; l.f.writes < 0 {
		return nil, status.Error(codes.Unavailable, "connection lost")
	}
	return resp, nil
}
