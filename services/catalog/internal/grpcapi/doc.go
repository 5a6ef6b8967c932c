// Package grpcapi serves relais.catalog.v1.CatalogService: thin handlers
// that call the application layer, and one mapper from domain errors to
// gRPC status codes.
package grpcapi
