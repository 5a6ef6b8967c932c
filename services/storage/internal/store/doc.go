// Package store keeps the storage service's metadata in its own database
// (pkg/sqldb, SQLite or PostgreSQL, migration set "storage"): the stored
// files (key, checksums, size, type, names, dataset), so that ETags,
// Content-Disposition and integrity checks survive the blob store's own
// metadata, and the state of chunked uploads.
package store
