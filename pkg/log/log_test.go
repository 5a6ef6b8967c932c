package log

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

func spanContext(t testing.TB) (context.Context, trace.SpanContext) {
	t.Helper()
	tid, err := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	require.NoError(t, err)
	sid, err := trace.SpanIDFromHex("00f067aa0ba902b7")
	require.NoError(t, err)
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled})
	return trace.ContextWithSpanContext(context.Background(), sc), sc
}

func decode(t testing.TB, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		out = append(out, m)
	}
	return out
}

func TestTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	logger, err := New(Config{Format: "json"}, &buf)
	require.NoError(t, err)
	ctx, sc := spanContext(t)

	logger.InfoContext(ctx, "with span", "k", "v")
	logger.Info("without span")
	logger.With("a", 1).WithGroup("req").With("id", "r1").InfoContext(ctx, "grouped", "path", "/x")

	lines := decode(t, &buf)
	require.Len(t, lines, 3)
	assert.Equal(t, sc.TraceID().String(), lines[0][TraceIDKey])
	assert.Equal(t, sc.SpanID().String(), lines[0][SpanIDKey])
	assert.Equal(t, "v", lines[0]["k"])
	assert.NotContains(t, lines[1], TraceIDKey)

	assert.Equal(t, sc.TraceID().String(), lines[2][TraceIDKey], "top level even under a group")
	assert.Equal(t, float64(1), lines[2]["a"])
	assert.Equal(t, map[string]any{"id": "r1", "path": "/x"}, lines[2]["req"])
}

func TestLevelAndFormat(t *testing.T) {
	var buf bytes.Buffer
	logger, err := New(Config{Level: "WARN"}, &buf)
	require.NoError(t, err)
	logger.Info("hidden")
	logger.Warn("shown", "err", "boom")
	assert.NotContains(t, buf.String(), "hidden")
	assert.Contains(t, buf.String(), `level=WARN msg=shown err=boom`)

	_, err = New(Config{Level: "verbose"}, &buf)
	require.ErrorContains(t, err, `unknown level "verbose"`)
	_, err = New(Config{Format: "xml"}, &buf)
	require.ErrorContains(t, err, `unknown format "xml"`)
}
