// Package app is the storage service's application layer: it takes file
// bytes as streams, names, sniffs and hashes them on their way to the blob
// store, records them in the database with their event in one transaction,
// joins chunked uploads, serves downloads and collects what uploads left
// behind. It knows nothing of gRPC.
package app
