package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/store"
)

// ChunkInput is one part of a chunked upload (udata's form fields).
type ChunkInput struct {
	DatasetID  string
	UUID       string
	Filename   string
	PartIndex  int
	PartOffset int64
	TotalParts int
	ChunkSize  int64
	Body       io.Reader
	// OrganizationID owns the dataset (optional): a part that would bring
	// the file over the organization's quota is refused.
	OrganizationID string
}

// PutChunk stores one part under the upload's prefix. The same part sent
// again replaces the first copy atomically. It returns how many distinct
// parts the upload has.
func (s *Service) PutChunk(ctx context.Context, in ChunkInput) (int, error) {
	if err := s.checkChunk(in); err != nil {
		return 0, err
	}
	if err := s.checkQuota(ctx, in.OrganizationID, in.PartOffset+in.ChunkSize); err != nil {
		return 0, err
	}
	ref := store.UploadRef{DatasetID: in.DatasetID, UUID: in.UUID}
	now := s.now().UTC()
	if err := s.store.BeginPart(ctx, store.Upload{UploadRef: ref, Filename: in.Filename, TotalParts: in.TotalParts}, now); err != nil {
		return 0, err
	}
	key := domain.PartKey(in.DatasetID, in.UUID, in.PartIndex)
	if _, err := s.blob.Put(ctx, key, in.Body, in.ChunkSize, blob.PutOptions{}); err != nil {
		if errors.Is(err, blob.ErrSizeMismatch) {
			return 0, domain.ChunkSizeMismatch(in.ChunkSize)
		}
		return 0, fmt.Errorf("store part %d of upload %s: %w", in.PartIndex, in.UUID, err)
	}
	n, err := s.store.RecordPart(ctx, ref, store.Part{Index: in.PartIndex, Size: in.ChunkSize, Offset: in.PartOffset}, s.now().UTC())
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (s *Service) checkChunk(in ChunkInput) error {
	if err := domain.CheckID("dataset_id", in.DatasetID, false); err != nil {
		return err
	}
	if err := domain.CheckID("uuid", in.UUID, false); err != nil {
		return err
	}
	if err := domain.CheckID("organization_id", in.OrganizationID, true); err != nil {
		return err
	}
	if err := checkParts(in.TotalParts); err != nil {
		return err
	}
	switch {
	case in.PartIndex < 0 || in.PartIndex >= in.TotalParts:
		return domain.Invalid("partindex %d is out of range [0, %d)", in.PartIndex, in.TotalParts)
	case in.ChunkSize < 0:
		return domain.Invalid("chunksize %d is negative", in.ChunkSize)
	case in.PartOffset < 0:
		return domain.Invalid("partbyteoffset %d is negative", in.PartOffset)
	case in.ChunkSize > s.maxChunk:
		return domain.Invalid("chunksize %d is larger than the maximum, %d", in.ChunkSize, s.maxChunk)
	case in.PartOffset > s.maxFile-in.ChunkSize:
		return domain.FileTooLarge(s.maxFile)
	}
	// The extension is checked at the first part rather than after the
	// last one.
	_, err := domain.ParseFilename(in.Filename, s.ext)
	return err
}

func checkParts(total int) error {
	if total < 1 || total > domain.MaxParts {
		return domain.Invalid("totalparts %d is out of range [1, %d]", total, domain.MaxParts)
	}
	return nil
}

// CompleteInput is the final call of a chunked upload.
type CompleteInput struct {
	DatasetID   string
	DatasetSlug string
	UUID        string
	Filename    string
	TotalParts  int
	Hint        string
	ResourceID  string
	// OrganizationID, as in UploadInput.
	OrganizationID string
}

// CompleteChunkedUpload joins the parts, in index order, into the final
// file through the same path as Upload, then deletes them. A second call
// for the same upload while this one runs fails with UploadBusy; missing
// parts fail with MissingParts, after which the client may send them and
// complete again.
func (s *Service) CompleteChunkedUpload(ctx context.Context, in CompleteInput) (store.File, error) {
	if err := domain.CheckID("dataset_id", in.DatasetID, false); err != nil {
		return store.File{}, err
	}
	if err := domain.CheckID("uuid", in.UUID, false); err != nil {
		return store.File{}, err
	}
	if err := checkParts(in.TotalParts); err != nil {
		return store.File{}, err
	}
	if _, err := domain.ParseFilename(in.Filename, s.ext); err != nil {
		return store.File{}, err
	}
	if _, err := domain.DatasetSlug(in.DatasetSlug); err != nil {
		return store.File{}, err
	}
	ref := store.UploadRef{DatasetID: in.DatasetID, UUID: in.UUID}
	u, parts, err := s.store.Claim(ctx, ref, s.now().UTC())
	if err != nil {
		return store.File{}, err
	}
	size, err := checkUpload(u, parts, in)
	if err == nil && size > s.maxFile {
		err = domain.FileTooLarge(s.maxFile)
	}
	if err == nil {
		err = s.checkQuota(ctx, in.OrganizationID, size)
	}
	if err != nil {
		s.unclaim(ctx, ref)
		return store.File{}, err
	}

	body := &partsReader{ctx: ctx, blob: s.blob, ref: ref, parts: parts}
	f, err := s.ingest(ctx, ingestInput{
		DatasetID: in.DatasetID, DatasetSlug: in.DatasetSlug, ResourceID: in.ResourceID, OrganizationID: in.OrganizationID,
		Filename: in.Filename, Hint: in.Hint, Size: size, Body: body, Upload: &ref,
	})
	body.Close()
	if err != nil {
		if r := domain.ReasonOf(err); r == domain.ReasonHTMLContent || r == domain.ReasonFileTooLarge {
			s.discard(ctx, ref) // refused for good: no point keeping the parts
		} else {
			s.unclaim(ctx, ref)
		}
		return store.File{}, err
	}
	s.deleteParts(ctx, ref)
	return f, nil
}

// checkUpload compares the final call with the parts received and returns
// the file's size.
func checkUpload(u store.Upload, parts []store.Part, in CompleteInput) (int64, error) {
	if u.TotalParts != in.TotalParts {
		return 0, domain.UploadMismatch("totalparts is %d, but the parts were sent with %d", in.TotalParts, u.TotalParts)
	}
	if u.Filename != in.Filename {
		return 0, domain.UploadMismatch("filename differs from the one the parts were sent with")
	}
	var missing []int
	next := 0
	for _, p := range parts {
		for ; next < p.Index && next < u.TotalParts; next++ {
			missing = append(missing, next)
		}
		next = p.Index + 1
	}
	for ; next < u.TotalParts; next++ {
		missing = append(missing, next)
	}
	if len(missing) > 0 {
		return 0, domain.MissingParts(missing)
	}
	var size int64
	for _, p := range parts {
		if p.Offset != size {
			return 0, domain.UploadMismatch("part %d starts at byte %d, but the parts before it hold %d bytes", p.Index, p.Offset, size)
		}
		size += p.Size
	}
	return size, nil
}

func (s *Service) unclaim(ctx context.Context, ref store.UploadRef) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := s.store.Unclaim(ctx, ref, s.now().UTC()); err != nil {
		s.log.WarnContext(ctx, "unclaim chunked upload failed", "dataset_id", ref.DatasetID, "upload_id", ref.UUID, "err", err)
	}
}

// discard drops a refused upload's rows and parts.
func (s *Service) discard(ctx context.Context, ref store.UploadRef) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := s.store.DeleteUpload(ctx, ref); err != nil {
		s.log.WarnContext(ctx, "discard chunked upload failed", "dataset_id", ref.DatasetID, "upload_id", ref.UUID, "err", err)
		return
	}
	s.deleteParts(ctx, ref)
}

// deleteParts removes the parts' blobs; leftovers are collected later.
func (s *Service) deleteParts(ctx context.Context, ref store.UploadRef) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if _, err := s.deletePrefix(ctx, domain.PartPrefix(ref.DatasetID, ref.UUID)); err != nil {
		s.log.WarnContext(ctx, "delete parts failed", "dataset_id", ref.DatasetID, "upload_id", ref.UUID, "err", err)
	}
}

// deletePrefix deletes every object under prefix and returns how many.
func (s *Service) deletePrefix(ctx context.Context, prefix string) (int, error) {
	var keys []string
	if err := s.blob.List(ctx, prefix, func(i blob.Info) error {
		keys = append(keys, i.Key)
		return nil
	}); err != nil {
		return 0, fmt.Errorf("list %s: %w", prefix, err)
	}
	for i, k := range keys {
		if err := s.blob.Delete(ctx, k); err != nil {
			return i, fmt.Errorf("delete %s: %w", k, err)
		}
	}
	return len(keys), nil
}

// partsReader reads the parts of an upload one after the other, opening
// each when the previous one ends. Each part must hold the size recorded
// when it was received.
type partsReader struct {
	ctx   context.Context
	blob  blob.Store
	ref   store.UploadRef
	parts []store.Part
	next  int
	cur   io.ReadCloser
	left  int64
}

func (r *partsReader) Read(p []byte) (int, error) {
	for r.cur == nil || r.left == 0 {
		if r.cur != nil {
			if err := r.closeCurrent(); err != nil {
				return 0, err
			}
		}
		if r.next == len(r.parts) {
			return 0, io.EOF
		}
		part := r.parts[r.next]
		r.next++
		rc, info, err := r.blob.Get(r.ctx, domain.PartKey(r.ref.DatasetID, r.ref.UUID, part.Index), nil)
		if err != nil {
			return 0, fmt.Errorf("open part %d: %w", part.Index, err)
		}
		if info.Size != part.Size {
			rc.Close()
			return 0, fmt.Errorf("part %d holds %d bytes, %d recorded", part.Index, info.Size, part.Size)
		}
		r.cur, r.left = rc, part.Size
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.cur.Read(p)
	r.left -= int64(n)
	if errors.Is(err, io.EOF) {
		if r.left != 0 {
			return n, fmt.Errorf("part %d ended %d bytes early: %w", r.parts[r.next-1].Index, r.left, io.ErrUnexpectedEOF)
		}
		err = nil
	}
	return n, err
}

func (r *partsReader) closeCurrent() error {
	err := r.cur.Close()
	r.cur = nil
	if err != nil {
		return fmt.Errorf("close part: %w", err)
	}
	return nil
}

// Close closes the part being read, if any.
func (r *partsReader) Close() {
	if r.cur != nil {
		_ = r.cur.Close()
		r.cur = nil
	}
}
