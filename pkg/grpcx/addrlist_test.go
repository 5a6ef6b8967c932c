package grpcx

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"

	testpb "google.golang.org/grpc/interop/grpc_testing"
)

// TestDialAddressList serves two real gRPC servers on loopback and dials
// them as a bare comma-separated list and as a static:/// target: calls
// are spread over both.
func TestDialAddressList(t *testing.T) {
	services, addrs := servePeers(t, 2)
	a, b := addrs[0].Addr, addrs[1].Addr
	for _, target := range []string{a + "," + b, "static:///" + a + ", " + b} {
		t.Run(target, func(t *testing.T) {
			conn, err := Dial(target)
			require.NoError(t, err)
			t.Cleanup(func() { _ = conn.Close() })
			assert.Equal(t, "static:///"+a+","+b, conn.Target())
			client := testpb.NewTestServiceClient(conn)
			served := map[string]int{}
			// Round robin picks among ready subchannels: both answer
			// once both are connected.
			require.Eventually(t, func() bool {
				var p peer.Peer
				_, err := client.UnaryCall(context.Background(), &testpb.SimpleRequest{}, grpc.Peer(&p))
				if err == nil {
					served[p.Addr.String()]++
				}
				return len(served) == 2
			}, 10*time.Second, time.Millisecond, "both servers answer")
			clear(served)
			for range 20 {
				var p peer.Peer
				_, err := client.UnaryCall(context.Background(), &testpb.SimpleRequest{}, grpc.Peer(&p))
				require.NoError(t, err)
				served[p.Addr.String()]++
			}
			assert.Len(t, served, 2, "calls went to %v", served)
			assert.GreaterOrEqual(t, served[a], 5, "%v", served)
			assert.GreaterOrEqual(t, served[b], 5, "%v", served)
		})
	}
	assert.Positive(t, services[0].count())
	assert.Positive(t, services[1].count())
}

// TestDialAddressListErrors: a list with an empty entry is refused with
// a clear error; other targets go to gRPC's resolvers unchanged.
func TestDialAddressListErrors(t *testing.T) {
	for _, target := range []string{"127.0.0.1:1,,127.0.0.1:2", "static:///", "127.0.0.1:1,", " , "} {
		_, err := Dial(target)
		require.Error(t, err, target)
		assert.Contains(t, err.Error(), "an empty address in the list", target)
	}
	for _, target := range []string{"127.0.0.1:9094", "dns:///relais-search-headless:9094", "passthrough:///127.0.0.1:1"} {
		conn, err := Dial(target)
		require.NoError(t, err, target)
		assert.Equal(t, target, conn.Target())
		_ = conn.Close()
	}
}
