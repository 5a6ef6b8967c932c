// Package grpcapi serves relais.storage.v1.StorageService: thin handlers
// that turn streams into readers and call the application layer, the
// service-token check, and one mapper from domain errors to gRPC status
// codes with google.rpc.ErrorInfo details.
package grpcapi
