package grpcapi

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// The pre-encoded responses decode to exactly the messages they stand for.
func TestEncodedResponses(t *testing.T) {
	desc := "Délibérations du conseil municipal"
	ds := []*catalogv1.Dataset{
		{Id: "5d13a8b6634f41070a43dff3", Slug: "a", Title: "A", Tags: []string{"x"}, Resources: []*catalogv1.Resource{{Id: "r", Description: &desc}}},
		{Id: "5d13a8b6634f41070a43dff4", Slug: "b", Title: "B", Permissions: &catalogv1.DatasetPermissions{Edit: true}},
	}
	e := newEncodings()
	for _, total := range []int64{0, 2, 1 << 40} {
		resp, err := e.listResponse(ds, total)
		require.NoError(t, err)
		wire, err := proto.Marshal(resp)
		require.NoError(t, err)
		var got catalogv1.ListDatasetsResponse
		require.NoError(t, proto.Unmarshal(wire, &got))
		want := &catalogv1.ListDatasetsResponse{Datasets: ds, Total: total}
		require.True(t, proto.Equal(want, &got), "want %v\ngot  %v", want, &got)
	}
	for _, moved := range []bool{false, true} {
		resp, err := e.getResponse(ds[0], moved)
		require.NoError(t, err)
		wire, err := proto.Marshal(resp)
		require.NoError(t, err)
		var got catalogv1.GetDatasetResponse
		require.NoError(t, proto.Unmarshal(wire, &got))
		want := &catalogv1.GetDatasetResponse{Dataset: ds[0], Moved: moved}
		require.True(t, proto.Equal(want, &got), "want %v\ngot  %v", want, &got)
	}
	require.Len(t, e.m, 2, "each dataset is encoded once")
}
