package log

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// Attribute keys added from the span in the record's context.
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// TraceHandler wraps a handler to add trace_id and span_id, at the top level
// even under WithGroup, when the record's context holds a valid span.
type TraceHandler struct {
	inner slog.Handler // root with ops applied
	root  slog.Handler // the wrapped handler, before any WithAttrs/WithGroup
	ops   []op         // WithAttrs/WithGroup calls, replayed when groups are open
	group bool         // a group is open: trace attributes cannot be added to the record
}

// op is one WithAttrs (group == "") or WithGroup call.
type op struct {
	group string
	attrs []slog.Attr
}

// NewTraceHandler wraps h.
func NewTraceHandler(h slog.Handler) *TraceHandler {
	return &TraceHandler{inner: h, root: h}
}

// Enabled implements slog.Handler.
func (h *TraceHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

// Handle implements slog.Handler.
func (h *TraceHandler) Handle(ctx context.Context, r slog.Record) error {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return h.inner.Handle(ctx, r)
	}
	ids := []slog.Attr{
		slog.String(TraceIDKey, sc.TraceID().String()),
		slog.String(SpanIDKey, sc.SpanID().String()),
	}
	if !h.group {
		r = r.Clone()
		r.AddAttrs(ids...)
		return h.inner.Handle(ctx, r)
	}
	// Record attributes land in the innermost group: rebuild the chain with
	// the ids first. Only loggers with open groups pay for this.
	inner := h.root.WithAttrs(ids)
	for _, o := range h.ops {
		if o.group != "" {
			inner = inner.WithGroup(o.group)
		} else {
			inner = inner.WithAttrs(o.attrs)
		}
	}
	return inner.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *TraceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.with(op{attrs: attrs}, h.inner.WithAttrs(attrs))
}

// WithGroup implements slog.Handler.
func (h *TraceHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(op{group: name}, h.inner.WithGroup(name))
}

func (h *TraceHandler) with(o op, inner slog.Handler) *TraceHandler {
	ops := append(h.ops[:len(h.ops):len(h.ops)], o)
	return &TraceHandler{inner: inner, root: h.root, ops: ops, group: h.group || o.group != ""}
}
