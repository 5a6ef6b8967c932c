package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/store"
)

// ingestInput is a file on its way in, from Upload or a chunked upload.
type ingestInput struct {
	DatasetID, DatasetSlug, ResourceID string
	OrganizationID                     string
	Filename, Hint                     string
	Size                               int64 // -1 when unknown
	Body                               io.Reader
	// Upload, for a chunked upload, has its rows dropped in the
	// transaction that records the file.
	Upload *store.UploadRef
}

// maxKeyTries bounds the "-N" counters tried when uploads of the same name
// to the same dataset land in the same second.
const maxKeyTries = 100

// cleanupTimeout bounds the cleanup of a failed upload, which runs even
// when the request's context is done.
const cleanupTimeout = 30 * time.Second

// ingest is the one path of every stored file:
//  1. check the names (extension whitelist, slugs) and the declared size;
//  2. read the first bytes and decide the content type (HTML is refused)
//     before writing anything;
//  3. check the organization's quota (with the declared size), and
//     reserve the key in the database (a pending row: invisible, but no
//     other upload can take the key);
//  4. stream the bytes to the blob store through the hashes, never holding
//     the file (the blob store commits atomically, or stores nothing);
//  5. in one transaction, turn the reservation into a stored file, check
//     the quota again with every stored byte counted, and enqueue
//     relais.storage.object.stored.
//
// Any failure after 3 removes what was written: no half-stored file is
// ever visible.
func (s *Service) ingest(ctx context.Context, in ingestInput) (store.File, error) {
	name, err := domain.ParseFilename(in.Filename, s.ext)
	if err != nil {
		return store.File{}, err
	}
	dsSlug, err := domain.DatasetSlug(in.DatasetSlug)
	if err != nil {
		return store.File{}, err
	}
	if err := domain.CheckID("dataset_id", in.DatasetID, false); err != nil {
		return store.File{}, err
	}
	if err := domain.CheckID("resource_id", in.ResourceID, true); err != nil {
		return store.File{}, err
	}
	if err := domain.CheckID("organization_id", in.OrganizationID, true); err != nil {
		return store.File{}, err
	}
	if in.Size > s.maxFile {
		return store.File{}, domain.FileTooLarge(s.maxFile)
	}
	if err := s.checkQuota(ctx, in.OrganizationID, max(in.Size, 0)); err != nil {
		return store.File{}, err
	}

	head := make([]byte, domain.SniffLen)
	n, err := io.ReadFull(in.Body, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return store.File{}, fmt.Errorf("read upload of %s: %w", name.Slug, err)
	}
	head = head[:n]
	mime, err := domain.DetectMIME(head, name, in.Hint)
	if err != nil {
		return store.File{}, err
	}

	now := s.now().UTC()
	key, stored, err := s.reserve(ctx, dsSlug, now, name, in.DatasetID, in.OrganizationID)
	if err != nil {
		return store.File{}, err
	}
	hr := newHashingReader(io.MultiReader(bytes.NewReader(head), in.Body), s.maxFile)
	defer hr.Close()
	info, err := s.blob.Put(ctx, key, hr, in.Size, blob.PutOptions{ContentType: mime})
	if err != nil {
		s.abandon(ctx, key, false)
		switch {
		case errors.Is(err, errTooLarge):
			return store.File{}, domain.FileTooLarge(s.maxFile)
		case errors.Is(err, blob.ErrSizeMismatch):
			return store.File{}, domain.SizeMismatch(in.Size)
		}
		return store.File{}, fmt.Errorf("store %s: %w", key, err)
	}
	if info.Size != hr.n {
		s.abandon(ctx, key, true)
		return store.File{}, fmt.Errorf("store %s: blob store kept %d bytes of %d", key, info.Size, hr.n)
	}

	sha1Hex, sha256Hex := hr.Sums()
	f := store.File{
		Key: key, DatasetID: in.DatasetID, OrganizationID: in.OrganizationID, ResourceID: in.ResourceID,
		Filename: stored, OriginalFilename: name.Original,
		Size: hr.n, SHA1: sha1Hex, SHA256: sha256Hex, MIME: mime, Format: name.Format,
		CreatedAt: now,
	}
	msg, err := fileStoredEvent(f, now)
	if err != nil {
		s.abandon(ctx, key, true)
		return store.File{}, err
	}
	quota := s.quotaOf(in.OrganizationID)
	err = s.store.Commit(ctx, f, func(tx *sqldb.Tx) error {
		if quota > 0 {
			u, err := store.UsageTx(ctx, tx, in.OrganizationID)
			if err != nil {
				return err
			}
			if u.Bytes > quota {
				return domain.QuotaExceeded(u.Bytes-f.Size, quota)
			}
		}
		if in.Upload != nil {
			if err := store.DeleteUploadTx(ctx, tx, *in.Upload); err != nil {
				return err
			}
		}
		return events.Enqueue(ctx, tx, msg)
	})
	if err != nil {
		s.abandon(ctx, key, true)
		return store.File{}, err
	}
	s.notify()
	uploadedFiles.Inc()
	uploadedBytes.Add(float64(f.Size))
	s.log.InfoContext(ctx, "file stored", "key", key, "dataset_id", f.DatasetID, "size", f.Size, "mime", f.MIME, "format", f.Format)
	return f, nil
}

// reserve claims the first free key for name: "name.csv", then
// "name-1.csv"… in the same second's folder.
func (s *Service) reserve(ctx context.Context, dsSlug string, now time.Time, name domain.Filename, datasetID, organizationID string) (key, stored string, err error) {
	for n := range maxKeyTries {
		stored = name.WithCounter(n)
		key = domain.ResourceKey(dsSlug, now, stored)
		err = s.store.Reserve(ctx, key, datasetID, organizationID, now)
		if err == nil {
			return key, stored, nil
		}
		if !errors.Is(err, store.ErrKeyTaken) {
			if ctx.Err() != nil {
				// Cancelled while the INSERT was in flight: the server may
				// have committed it. Drop our reservation, if it exists (the
				// reservation time tells ours from another upload's).
				cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
				defer cancel()
				if rerr := s.store.ReleaseReservation(cleanup, key, now); rerr != nil {
					s.log.WarnContext(ctx, "release cancelled reservation failed", "key", key, "err", rerr)
				}
			}
			return "", "", err
		}
	}
	return "", "", fmt.Errorf("reserve a key for %s: %d names taken: %w", name.Slug, maxKeyTries, err)
}

// abandon undoes a failed upload: the blob when it was written, then the
// reservation. It runs even when ctx is done; its failures are logged (a
// pending row left behind is collected with the stale parts).
func (s *Service) abandon(ctx context.Context, key string, written bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if written {
		if err := s.blob.Delete(ctx, key); err != nil {
			s.log.WarnContext(ctx, "delete abandoned upload failed", "key", key, "err", err)
			return // keep the reservation: the collector retries both
		}
	}
	if err := s.store.Release(ctx, key); err != nil {
		s.log.WarnContext(ctx, "release abandoned upload failed", "key", key, "err", err)
	}
}
