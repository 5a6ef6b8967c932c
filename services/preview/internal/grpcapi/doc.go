// Package grpcapi serves relais.preview.v1.PreviewService: thin handlers
// over the tabular store, the preview records and the schema catalogue,
// and the one place that turns their errors into gRPC statuses.
package grpcapi
