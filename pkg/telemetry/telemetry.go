// Package telemetry sets up OpenTelemetry tracing for a Relais process.
//
// Setup is the one place in Relais that writes process-wide state: the
// global TracerProvider and TextMapPropagator that otelgrpc, otelhttp and the
// event headers use.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Config says how traces are sampled and where they are exported.
type Config struct {
	// ServiceName is the service.name resource attribute; "" means "relais".
	ServiceName string `yaml:"service_name"`
	// OTLPEndpoint is an OTLP/gRPC collector, "host:port" or a URL such as
	// "http://tempo:4317"; "" means no export (trace ids still exist in logs).
	OTLPEndpoint string `yaml:"otlp_endpoint"`
	// Insecure disables TLS towards a "host:port" endpoint.
	Insecure bool `yaml:"otlp_insecure"`
	// SampleRatio is the fraction of root traces sampled, in [0, 1]; child
	// spans follow their parent's decision. The zero value samples nothing:
	// start from DefaultConfig.
	SampleRatio float64 `yaml:"sample_ratio"`
	// Exporter, set in code, receives every ended span synchronously
	// besides the OTLP export: tests give an in-memory one
	// (go.opentelemetry.io/otel/sdk/trace/tracetest) to see whole traces.
	Exporter sdktrace.SpanExporter `yaml:"-"`
}

// DefaultConfig samples every trace and exports nothing.
func DefaultConfig(serviceName string) Config {
	return Config{ServiceName: serviceName, SampleRatio: 1}
}

// Setup installs an SDK TracerProvider and the W3C tracecontext and baggage
// propagators as the OpenTelemetry globals. shutdown flushes pending spans
// and stops the exporter.
func Setup(ctx context.Context, cfg Config) (shutdown func(context.Context) error, err error) {
	if cfg.SampleRatio < 0 || cfg.SampleRatio > 1 {
		return nil, fmt.Errorf("telemetry: sample_ratio %v is not in [0, 1]", cfg.SampleRatio)
	}
	name := cfg.ServiceName
	if name == "" {
		name = "relais"
	}
	res, err := resource.New(ctx,
		resource.WithFromEnv(),
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", name)),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("telemetry: build resource: %w", err)
	}
	// Without an exporter nobody would read the spans: sample none, which
	// spares recording them on every request. Trace ids are still made and
	// propagated, so logs and events stay correlated.
	ratio := cfg.SampleRatio
	if cfg.OTLPEndpoint == "" && cfg.Exporter == nil {
		ratio = 0
	}
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	}
	if cfg.OTLPEndpoint != "" {
		exp, err := otlptracegrpc.New(ctx, exporterOptions(cfg)...)
		if err != nil {
			return nil, fmt.Errorf("telemetry: create OTLP exporter for %s: %w", cfg.OTLPEndpoint, err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	if cfg.Exporter != nil {
		opts = append(opts, sdktrace.WithSyncer(cfg.Exporter))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return func(ctx context.Context) error {
		if err := tp.Shutdown(ctx); err != nil {
			return fmt.Errorf("telemetry: shutdown tracer provider: %w", err)
		}
		return nil
	}, nil
}

func exporterOptions(cfg Config) []otlptracegrpc.Option {
	if strings.Contains(cfg.OTLPEndpoint, "://") {
		// The scheme decides: http:// is insecure, https:// uses TLS.
		return []otlptracegrpc.Option{otlptracegrpc.WithEndpointURL(cfg.OTLPEndpoint)}
	}
	opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(cfg.OTLPEndpoint)}
	if cfg.Insecure {
		opts = append(opts, otlptracegrpc.WithInsecure())
	}
	return opts
}
