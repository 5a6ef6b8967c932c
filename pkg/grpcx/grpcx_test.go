package grpcx

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
)

type userKey struct{}

// testService answers with the user the auth interceptor put in the context,
// and panics on request.
type testService struct {
	testpb.UnimplementedTestServiceServer
}

func (testService) UnaryCall(ctx context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	if string(req.GetPayload().GetBody()) == "panic" {
		panic("handler exploded")
	}
	user, _ := ctx.Value(userKey{}).(string)
	return &testpb.SimpleResponse{Username: user}, nil
}

func (testService) StreamingOutputCall(_ *testpb.StreamingOutputCallRequest, stream grpc.ServerStreamingServer[testpb.StreamingOutputCallResponse]) error {
	user, _ := stream.Context().Value(userKey{}).(string)
	return stream.Send(&testpb.StreamingOutputCallResponse{Payload: &testpb.Payload{Body: []byte(user)}})
}

var errStoreDown = errors.New("token store down")

func authenticate(ctx context.Context, key string) (context.Context, error) {
	switch key {
	case "good-key":
		return context.WithValue(ctx, userKey{}, "alice"), nil
	case "broken":
		return nil, errStoreDown
	case "":
		return ctx, nil // anonymous
	}
	return nil, status.Error(codes.Unauthenticated, "invalid API key")
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startServer(t testing.TB) (*Server, *grpc.ClientConn, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	s := NewServer(ServerOptions{Log: slog.New(slog.NewTextHandler(logs, nil)), Authenticate: authenticate})
	testpb.RegisterTestServiceServer(s, testService{})
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(s.Stop)

	conn, err := Dial(ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return s, conn, logs
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestHealth(t *testing.T) {
	s, conn, _ := startServer(t)
	ctx := testCtx(t)
	hc := healthpb.NewHealthClient(conn)

	resp, err := hc.Check(ctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err, "health answers without an API key")
	assert.Equal(t, healthpb.HealthCheckResponse_SERVING, resp.Status)

	Health(s).SetServingStatus("grpc.testing.TestService", healthpb.HealthCheckResponse_NOT_SERVING)
	resp, err = hc.Check(ctx, &healthpb.HealthCheckRequest{Service: "grpc.testing.TestService"})
	require.NoError(t, err)
	assert.Equal(t, healthpb.HealthCheckResponse_NOT_SERVING, resp.Status)

	require.NoError(t, s.Shutdown(ctx))
}

func TestShutdownMarksNotServing(t *testing.T) {
	s, conn, _ := startServer(t)
	ctx := testCtx(t)
	watch, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	first, err := watch.Recv()
	require.NoError(t, err)
	require.Equal(t, healthpb.HealthCheckResponse_SERVING, first.Status)

	shutdownCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Shutdown(shutdownCtx) }()
	next, err := watch.Recv()
	require.NoError(t, err)
	assert.Equal(t, healthpb.HealthCheckResponse_NOT_SERVING, next.Status)
	// The open Watch stream keeps GracefulStop waiting: the deadline forces the stop.
	require.ErrorIs(t, <-errc, context.DeadlineExceeded)
}

func TestReflectionListsServices(t *testing.T) {
	_, conn, _ := startServer(t)
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(testCtx(t))
	require.NoError(t, err)
	require.NoError(t, stream.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{ListServices: "*"},
	}))
	resp, err := stream.Recv()
	require.NoError(t, err)
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	assert.Contains(t, names, "grpc.testing.TestService")
	assert.Contains(t, names, "grpc.health.v1.Health")
	assert.Contains(t, names, "grpc.reflection.v1.ServerReflection")
}

func TestAuthUnary(t *testing.T) {
	_, conn, logs := startServer(t)
	ctx := testCtx(t)
	client := testpb.NewTestServiceClient(conn)

	resp, err := client.UnaryCall(WithAPIKey(ctx, "good-key"), &testpb.SimpleRequest{})
	require.NoError(t, err)
	assert.Equal(t, "alice", resp.Username, "handler gets the context from Authenticate")

	resp, err = client.UnaryCall(ctx, &testpb.SimpleRequest{})
	require.NoError(t, err)
	assert.Empty(t, resp.Username, "no key: Authenticate decides (anonymous here)")

	_, err = client.UnaryCall(WithAPIKey(ctx, "bad-key"), &testpb.SimpleRequest{})
	assert.Equal(t, codes.Unauthenticated, status.Code(err))
	assert.Equal(t, "invalid API key", status.Convert(err).Message())

	_, err = client.UnaryCall(WithAPIKey(ctx, "broken"), &testpb.SimpleRequest{})
	assert.Equal(t, codes.Internal, status.Code(err), "a non-status error is not an auth failure")
	assert.NotContains(t, status.Convert(err).Message(), "token store", "internal details stay in the logs")
	assert.Contains(t, logs.String(), "token store down")
}

func TestAuthStream(t *testing.T) {
	_, conn, _ := startServer(t)
	ctx := testCtx(t)
	client := testpb.NewTestServiceClient(conn)

	stream, err := client.StreamingOutputCall(WithAPIKey(ctx, "good-key"), &testpb.StreamingOutputCallRequest{})
	require.NoError(t, err)
	msg, err := stream.Recv()
	require.NoError(t, err)
	assert.Equal(t, "alice", string(msg.GetPayload().GetBody()))

	stream, err = client.StreamingOutputCall(WithAPIKey(ctx, "bad-key"), &testpb.StreamingOutputCallRequest{})
	require.NoError(t, err)
	_, err = stream.Recv()
	assert.Equal(t, codes.Unauthenticated, status.Code(err))
}

func TestPanicRecovery(t *testing.T) {
	_, conn, logs := startServer(t)
	ctx := testCtx(t)
	client := testpb.NewTestServiceClient(conn)

	_, err := client.UnaryCall(ctx, &testpb.SimpleRequest{Payload: &testpb.Payload{Body: []byte("panic")}})
	assert.Equal(t, codes.Internal, status.Code(err))
	assert.Contains(t, logs.String(), "grpc handler panic")
	assert.Contains(t, logs.String(), "handler exploded")
	assert.Contains(t, logs.String(), "method=/grpc.testing.TestService/UnaryCall")

	_, err = client.UnaryCall(ctx, &testpb.SimpleRequest{})
	require.NoError(t, err, "the server survives")
}

func TestLargeMessages(t *testing.T) {
	_, conn, _ := startServer(t)
	body := bytes.Repeat([]byte("x"), 8<<20) // above gRPC's 4 MiB default
	_, err := testpb.NewTestServiceClient(conn).UnaryCall(testCtx(t), &testpb.SimpleRequest{Payload: &testpb.Payload{Body: body}})
	require.NoError(t, err)
}

func TestAPIKeyFromIncomingWithoutMetadata(t *testing.T) {
	assert.Empty(t, APIKeyFromIncoming(context.Background()))
	assert.Equal(t, context.Background(), WithAPIKey(context.Background(), ""))
}
