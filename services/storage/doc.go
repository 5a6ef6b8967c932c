// Package storage is the Relais storage service: the bytes of uploaded
// resources, served as the gRPC service relais.storage.v1.StorageService.
//
// It takes files the way data.gouv.fr's clients send them — in one
// request (Upload) or in parts (PutChunk, then CompleteChunkedUpload) —
// streaming them to a blob store (pkg/blob: fs or s3) while computing their
// sha1 (udata's checksum) and sha256, their size, content type and udata
// format, never holding a file whole in memory. Stored files are recorded in
// the service's own database (pkg/sqldb, migration set "storage") in the
// same transaction as their relais.storage.object.stored event (outbox), so
// a file is visible exactly when its event will be published. Downloads are
// streamed with ranges (Download) or presigned (s3). Each download the
// gateway serves is published as relais.storage.resource.downloaded
// (RecordDownload).
//
// Wiring: New receives the database, the bus and the logger, opens the blob
// store from Config.Blob (unless Deps.Blob is given), migrates the storage
// and outbox tables and returns a Service. Register puts it on a gRPC
// server (grpcx.NewServer; storage checks its own x-service-token, so any
// Authenticate hook may be set). Run publishes the outbox and collects the
// parts of abandoned chunked uploads until its context ends.
//
// Authentication: every RPC but ListAllowedExtensions requires the shared
// secret Config.ServiceToken in the x-service-token metadata (WithServiceToken
// sets it on a client context). Users and permissions are the gateway's
// business; the storage service has no user database.
package storage
