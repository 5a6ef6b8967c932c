// Package blob stores file bytes under slash-separated keys, on a local
// filesystem ("fs", the embedded default) or in an S3-compatible object store
// ("s3", MinIO). Both backends implement [Store] and pass the same
// conformance suite, blobtest.Run.
//
// # Guarantees
//
//   - Put streams: it never holds a whole object in memory (fs copies through
//     a 1 MiB buffer; s3 uploads parts of S3Config.PartSize, one at a time).
//   - Put is atomic: readers see the old object or the new one, never a mix
//     and never a partial object, even when the upload fails, is cancelled
//     or the process crashes (fs: temporary file, fsync, rename, fsync of the
//     directory; s3: single PUT or multipart upload completed only after the
//     last part, aborted otherwise).
//   - When Put is given a size ≥ 0, a reader that yields fewer or more bytes
//     fails the Put with [ErrSizeMismatch] and stores nothing.
//   - Keys are validated by [ValidateKey] before any I/O; the fs backend also
//     resolves every path through an os.Root, so it cannot leave its
//     directory even through a symbolic link planted inside it.
//
// # Info
//
// ETag is an opaque validator: compare it for equality only. s3 returns the
// server's ETag (the MD5 of the bytes for a single PUT, "<md5 of part
// MD5s>-<parts>" for a multipart upload). fs returns the first 16 bytes of the
// SHA-256 of the bytes, in hex (SHA-256 runs at about twice MD5's speed on
// CPUs with SHA extensions). ModTime has second precision on s3.
//
// List fills Key, Size, ETag and ModTime; ContentType and Metadata are filled
// by fs but left empty by s3 (S3 listings do not carry them): call Stat when
// you need them.
//
// # Metadata
//
// Metadata keys are lower-case ASCII letters, digits and '-' (they travel as
// x-amz-meta-* headers on S3). Values are UTF-8 without control characters,
// without surrounding spaces (HTTP trims them) and without "=?" (S3 servers
// decode RFC 2047 encoded words in metadata); s3 sends non-ASCII values as
// encoded words. Keys and values together may not exceed 2 KiB, S3's limit.
// An empty ContentType is stored as application/octet-stream.
//
// # fs layout
//
// An object is one file at Dir/<key>: its bytes, then a JSON trailer (ETag,
// size, content type, metadata) and a 16-byte footer. One file means one
// rename commits bytes and metadata together: there is no sidecar to keep in
// step. Because a key is a path, fs cannot hold both "a" and "a/b" (S3 can):
// the second Put fails with [ErrInvalidKey]. Temporary files are named
// ".tmp-*" beside their target; keys cannot start a segment with '.', so they
// never show in List. A failed Put removes its own; only a crash can leave
// one behind. Readers returned by the fs Get also implement io.WriterTo, so
// copying them to a socket can use sendfile.
package blob

import (
	"context"
	"errors"
	"io"
	"time"
)

// Sentinel errors, wrapped with context by every backend: test with errors.Is.
var (
	// ErrNotFound: no object has this key.
	ErrNotFound = errors.New("blob: object not found")
	// ErrNotSupported: the backend cannot do this (PresignGet on fs).
	ErrNotSupported = errors.New("blob: not supported by this backend")
	// ErrInvalidKey: the key or prefix is malformed or hostile (see
	// ValidateKey), or, on fs, clashes with an existing key used as a prefix.
	ErrInvalidKey = errors.New("blob: invalid key")
	// ErrInvalidRange: the range is malformed or starts at or past the end
	// of the object (HTTP 416).
	ErrInvalidRange = errors.New("blob: invalid range")
	// ErrSizeMismatch: Put was given a size and the reader yielded fewer or
	// more bytes.
	ErrSizeMismatch = errors.New("blob: size mismatch")
	// ErrInvalidOptions: malformed metadata, content type, content
	// disposition or presign TTL.
	ErrInvalidOptions = errors.New("blob: invalid options")
)

// Store is a flat namespace of objects addressed by keys (see ValidateKey).
// Implementations are safe for concurrent use.
type Store interface {
	// Put streams r to key, replacing any object there, and returns the
	// stored object's Info. size is the number of bytes r yields, or -1 when
	// unknown. The object becomes visible only when Put succeeds. Put looks
	// at ctx between reads: a reader that can block (a request body) should
	// itself end when the request does.
	Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (Info, error)
	// Get opens key for reading, the whole object when rng is nil or the
	// range rng otherwise. Info describes the whole object (Size is its full
	// size); the reader yields the range's bytes. The caller closes it.
	Get(ctx context.Context, key string, rng *Range) (io.ReadCloser, Info, error)
	// Stat returns the object's Info.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for each object whose key starts with prefix, in key
	// order (bytewise). If fn returns an error, List stops and returns it.
	// prefix is "" (everything), a key, or a key followed by "/".
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// PresignGet returns a URL that downloads key without credentials until
	// ttl (1 s to 7 days) has passed, with the response headers set by opts.
	// It does not check that key exists. fs returns ErrNotSupported.
	PresignGet(ctx context.Context, key string, ttl time.Duration, opts PresignOptions) (string, error)
}

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	ETag        string // opaque, unquoted; see the package documentation
	ContentType string
	ModTime     time.Time
	Metadata    map[string]string // nil when there is none
}

// PutOptions are stored with an object and returned in its Info.
type PutOptions struct {
	ContentType string // default application/octet-stream
	Metadata    map[string]string
}

// PresignOptions set the response headers of a presigned download.
type PresignOptions struct {
	ContentDisposition string // e.g. attachment; filename="data.csv"
	ContentType        string
}

// Range selects Length bytes from Offset; Length -1 reads to the end. A
// Length reaching past the end is cut at the end. Offset must be below the
// object's size, except that {0, -1} reads any object whole, even an empty
// one.
type Range struct {
	Offset, Length int64
}

// DefaultContentType is stored when PutOptions.ContentType is empty.
const DefaultContentType = "application/octet-stream"

// MaxPresignTTL is the longest lifetime of a presigned URL (S3's limit).
const MaxPresignTTL = 7 * 24 * time.Hour
