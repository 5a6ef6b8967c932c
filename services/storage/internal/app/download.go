package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"time"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/store"
)

// DefaultPresignTTL is the lifetime of a presigned URL when none is asked.
const DefaultPresignTTL = 15 * time.Minute

// Stat returns the stored file at key.
func (s *Service) Stat(ctx context.Context, key string) (store.File, error) {
	f, err := s.store.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return store.File{}, fmt.Errorf("stat %s: %w", key, domain.ErrNotFound)
	}
	return f, err
}

// Range selects bytes of a download: Offset nil means the whole file,
// Length nil means to the end.
type Range struct {
	Offset, Length *int64
}

// Opened is a download in progress: the file, the bytes that Body yields
// (Offset, Length) and Body, which the caller closes.
type Opened struct {
	File           store.File
	Offset, Length int64
	Body           io.ReadCloser
}

// Open opens a stored file, or a range of it, for reading.
func (s *Service) Open(ctx context.Context, key string, r Range) (Opened, error) {
	f, err := s.Stat(ctx, key)
	if err != nil {
		return Opened{}, err
	}
	var rng *blob.Range
	if r.Offset != nil {
		length := int64(-1)
		if r.Length != nil {
			length = *r.Length
			if length <= 0 {
				return Opened{}, domain.Invalid("length %d is not positive", length)
			}
		}
		if *r.Offset < 0 {
			return Opened{}, domain.Invalid("offset %d is negative", *r.Offset)
		}
		rng = &blob.Range{Offset: *r.Offset, Length: length}
	} else if r.Length != nil {
		return Opened{}, domain.Invalid("length without offset")
	}
	body, info, err := s.blob.Get(ctx, key, rng)
	switch {
	case errors.Is(err, blob.ErrInvalidRange):
		return Opened{}, fmt.Errorf("open %s: %w", key, domain.ErrOutOfRange)
	case errors.Is(err, blob.ErrNotFound):
		s.log.ErrorContext(ctx, "stored file missing from blob store", "key", key)
		return Opened{}, fmt.Errorf("open %s: blob missing: %w", key, domain.ErrNotFound)
	case err != nil:
		return Opened{}, fmt.Errorf("open %s: %w", key, err)
	}
	o := Opened{File: f, Offset: 0, Length: info.Size, Body: body}
	if rng != nil {
		o.Offset = rng.Offset
		o.Length = info.Size - rng.Offset
		if rng.Length >= 0 && rng.Length < o.Length {
			o.Length = rng.Length
		}
	}
	return o, nil
}

// Presign returns a URL that downloads key straight from the object store
// until it expires, with Content-Disposition naming filename (default the
// original name).
func (s *Service) Presign(ctx context.Context, key, filename string, ttl time.Duration) (string, time.Time, error) {
	f, err := s.Stat(ctx, key)
	if err != nil {
		return "", time.Time{}, err
	}
	if ttl == 0 {
		ttl = DefaultPresignTTL
	}
	if ttl < time.Second || ttl > blob.MaxPresignTTL {
		return "", time.Time{}, domain.Invalid("ttl %v is out of range [1s, %v]", ttl, blob.MaxPresignTTL)
	}
	name := domain.CleanOriginal(filename)
	if name == "" {
		name = f.OriginalFilename
	}
	if name == "" {
		name = f.Filename
	}
	expires := s.now().Add(ttl).UTC()
	url, err := s.blob.PresignGet(ctx, key, ttl, blob.PresignOptions{
		ContentDisposition: ContentDisposition(name),
		ContentType:        f.MIME,
	})
	if errors.Is(err, blob.ErrNotSupported) {
		return "", time.Time{}, fmt.Errorf("presign %s: %w", key, domain.ErrNotSupported)
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("presign %s: %w", key, err)
	}
	return url, expires, nil
}

// ContentDisposition is an attachment header naming the download, with
// RFC 2231 encoding for non-ASCII names.
func ContentDisposition(filename string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": filename}); v != "" {
		return v
	}
	return "attachment"
}

// Verification is the result of Verify.
type Verification struct {
	File         store.File
	ActualSHA256 string
	ActualSize   int64
}

// OK reports whether the bytes match what was recorded.
func (v Verification) OK() bool {
	return v.ActualSHA256 == v.File.SHA256 && v.ActualSize == v.File.Size
}

// Verify reads a stored file whole and hashes it.
func (s *Service) Verify(ctx context.Context, key string) (Verification, error) {
	o, err := s.Open(ctx, key, Range{})
	if err != nil {
		return Verification{}, err
	}
	defer o.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, o.Body)
	if err != nil {
		return Verification{}, fmt.Errorf("verify %s: %w", key, err)
	}
	v := Verification{File: o.File, ActualSHA256: hex.EncodeToString(h.Sum(nil)), ActualSize: n}
	if !v.OK() {
		s.log.ErrorContext(ctx, "stored file corrupt", "key", key, "sha256", v.File.SHA256, "actual_sha256", v.ActualSHA256,
			"size", v.File.Size, "actual_size", v.ActualSize)
	}
	return v, nil
}

// Delete removes a stored file: its row and the relais.storage.object.deleted
// event in one transaction, then its bytes. It reports false when there was
// no such file.
func (s *Service) Delete(ctx context.Context, key string) (bool, error) {
	at := s.now().UTC()
	_, err := s.store.Delete(ctx, key, func(tx *sqldb.Tx, f store.File) error {
		msg, err := fileDeletedEvent(f, at)
		if err != nil {
			return err
		}
		return events.Enqueue(ctx, tx, msg)
	})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.notify()
	if err := s.blob.Delete(context.WithoutCancel(ctx), key); err != nil {
		// The file is gone for every reader; only its bytes linger.
		s.log.WarnContext(ctx, "delete blob of deleted file failed", "key", key, "err", err)
	}
	s.log.InfoContext(ctx, "file deleted", "key", key)
	return true, nil
}
