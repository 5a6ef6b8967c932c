package grpcx

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"

	testpb "google.golang.org/grpc/interop/grpc_testing"
)

// peerService counts the calls it serves.
type peerService struct {
	testpb.UnimplementedTestServiceServer
	mu    sync.Mutex
	calls int
}

func (s *peerService) UnaryCall(context.Context, *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	return &testpb.SimpleResponse{}, nil
}

func (s *peerService) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// startPeers serves n real gRPC servers on loopback and returns their
// services and a resolver for the dns scheme listing them all.
func startPeers(t testing.TB, n int) ([]*peerService, *manual.Resolver) {
	services, addrs := servePeers(t, n)
	dns := manual.NewBuilderWithScheme("dns")
	dns.InitialState(resolver.State{Addresses: addrs})
	return services, dns
}

// servePeers serves n real gRPC servers on loopback and returns their
// services and addresses.
func servePeers(t testing.TB, n int) ([]*peerService, []resolver.Address) {
	var services []*peerService
	var addrs []resolver.Address
	for range n {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		srv := grpc.NewServer()
		s := &peerService{}
		testpb.RegisterTestServiceServer(srv, s)
		go func() { _ = srv.Serve(lis) }()
		t.Cleanup(srv.Stop)
		services = append(services, s)
		addrs = append(addrs, resolver.Address{Addr: lis.Addr().String()})
	}
	return services, addrs
}

// TestDialRoundRobin serves two real gRPC servers behind one dns:/// name
// (a manual resolver registered for the dns scheme of this connection only,
// as a headless Service's DNS record lists every pod) and checks that Dial
// spreads calls over both.
func TestDialRoundRobin(t *testing.T) {
	services, dns := startPeers(t, 2)

	conn, err := Dial("dns:///relais-search-headless:9094", grpc.WithResolvers(dns))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	client := testpb.NewTestServiceClient(conn)

	// Round robin picks among the subchannels that are ready: wait until
	// both are (each has served a call), then count.
	require.Eventually(t, func() bool {
		_, err := client.UnaryCall(context.Background(), &testpb.SimpleRequest{})
		return err == nil && services[0].count() > 0 && services[1].count() > 0
	}, 10*time.Second, time.Millisecond, "both servers reachable")
	before := services[0].count() + services[1].count()

	const calls = 20
	served := map[string]int{}
	for range calls {
		var p peer.Peer
		_, err := client.UnaryCall(context.Background(), &testpb.SimpleRequest{}, grpc.Peer(&p))
		require.NoError(t, err)
		served[p.Addr.String()]++
	}
	assert.Len(t, served, 2, "calls went to %v", served)
	for addr, n := range served {
		assert.GreaterOrEqual(t, n, calls/4, "%s served %d of %d calls", addr, n, calls)
	}
	assert.Equal(t, before+calls, services[0].count()+services[1].count())
}

// BenchmarkDialRoundRobin measures unary calls through one Dial connection
// balanced over two loopback servers, and reports each server's share.
func BenchmarkDialRoundRobin(b *testing.B) {
	services, dns := startPeers(b, 2)
	conn, err := Dial("dns:///relais-bench-headless:9094", grpc.WithResolvers(dns))
	require.NoError(b, err)
	b.Cleanup(func() { _ = conn.Close() })
	client := testpb.NewTestServiceClient(conn)
	_, err = client.UnaryCall(context.Background(), &testpb.SimpleRequest{}) // connect
	require.NoError(b, err)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.UnaryCall(context.Background(), &testpb.SimpleRequest{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	total := float64(services[0].count() + services[1].count())
	b.ReportMetric(100*float64(services[0].count())/total, "%server0")
	b.ReportMetric(100*float64(services[1].count())/total, "%server1")
}
