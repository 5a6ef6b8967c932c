package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
	"github.com/relais-data/relais/services/storage"
)

// publishTimeout bounds recording an uploaded file in the catalog, and
// removing it when that fails; both run even if the client went away, so
// that a stored file never outlives a failed publication.
const publishTimeout = 30 * time.Second

// chunkFormSlack is what a chunk's request may hold beyond the chunk: its
// fields and multipart framing. A longer request is a whole file.
const chunkFormSlack = 1 << 20

// replacedPaths are the resource fields a new file sets when it replaces a
// resource's file (udata's UploadDatasetResource: every field of the
// upload's infos, the title included; id, description, type, schema and
// extras are kept).
var replacedPaths = []string{"title", "format", "url", "checksum", "filesize", "mime"}

// uploadNewResource is POST /api/1/datasets/{dataset}/upload/: a file for
// a new resource (201), or one chunk of it (200 {"success": true}).
func (s *Server) uploadNewResource(w http.ResponseWriter, r *http.Request) {
	s.serveUpload(w, r, "")
}

// uploadResourceFile is POST /api/1/datasets/{dataset}/resources/{rid}/upload/:
// a new file for an existing resource (200), or one chunk of it.
func (s *Server) uploadResourceFile(w http.ResponseWriter, r *http.Request) {
	rid, ok := s.resourceID(w, r)
	if !ok {
		return
	}
	s.serveUpload(w, r, rid)
}

// upload is what one upload request is about.
type upload struct {
	dataset *catalogv1.Dataset
	// replaced is the resource whose file is replaced; nil for a new one.
	replaced *catalogv1.Resource
	// resourceID is the resource the file is stored for: the replaced one,
	// or the id the new resource will have (so that the stored file and
	// its events name it from the start).
	resourceID string
}

// serveUpload checks the caller may edit the dataset's resources before
// reading a byte of the body, then receives the file (or chunk) and
// publishes it in the catalog.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, rid string) {
	if !requireAuth(w, r) || !s.files.available(w) {
		return
	}
	resp, err := s.catalog.GetDataset(r.Context(), &catalogv1.GetDatasetRequest{Dataset: r.PathValue("dataset")})
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	u := upload{dataset: resp.GetDataset(), resourceID: rid}
	if !u.dataset.GetPermissions().GetEditResources() {
		writeMessage(w, http.StatusForbidden, msgForbidden)
		return
	}
	if rid != "" {
		for _, res := range u.dataset.GetResources() {
			if strings.EqualFold(res.GetId(), rid) {
				u.replaced = res
			}
		}
		if u.replaced == nil {
			s.notFound(w, r, msgResourceMissing)
			return
		}
		u.resourceID = u.replaced.GetId()
	} else {
		u.resourceID = newUUID4()
	}

	file, err := s.receiveUpload(r, u)
	if err != nil {
		s.failStorage(w, r, err)
		return
	}
	if file == nil { // a chunk, stored
		writeUploadStatus(w, http.StatusOK, "")
		return
	}
	s.publishUpload(w, r, u, file)
}

// receiveUpload reads the form and sends its file to storage: a whole
// file (Upload), a chunk (PutChunk: nil file) or, without a file, the
// final call of a chunked upload (CompleteChunkedUpload).
func (s *Server) receiveUpload(r *http.Request, u upload) (*storagev1.StoredFile, error) {
	form, err := newUploadForm(r)
	if err != nil {
		return nil, err
	}
	part, err := form.nextFile()
	if err != nil {
		return nil, err
	}
	ctx := s.files.ctx(r.Context())
	if part != nil {
		return s.receiveFile(ctx, r, form, part, u)
	}
	fields, err := form.fields()
	if err != nil {
		return nil, err
	}
	if !fields.isChunk() {
		return nil, &uploadError{code: http.StatusBadRequest, status: true, msg: msgMissingFile}
	}
	total, err := int32Field("totalparts", fields.totalParts)
	if err != nil {
		return nil, err
	}
	resp, err := s.files.client.CompleteChunkedUpload(ctx, &storagev1.CompleteChunkedUploadRequest{
		DatasetId: u.dataset.GetId(), DatasetSlug: u.dataset.GetSlug(), ResourceId: u.resourceID,
		Uuid: fields.uuid, Filename: fields.filename, TotalParts: total,
		OrganizationId: u.dataset.GetOrganization().GetId(),
	})
	if err != nil {
		return nil, chunkedError{err}
	}
	return resp.GetFile(), nil
}

// receiveFile sends the file part. A chunk whose fields all came first
// goes straight to PutChunk, and a file that cannot be a chunk (the fields
// say so, or it is longer than any chunk) straight to Upload. Otherwise —
// data.gouv.fr's front end sends `file` before `partindex`, `totalparts`
// and `chunksize` — the part is spooled (it is at most a chunk long) until
// the rest of the form says what it is.
func (s *Server) receiveFile(ctx context.Context, r *http.Request, form *uploadForm, part *multipart.Part, u upload) (*storagev1.StoredFile, error) {
	fields, err := form.fields()
	if err != nil {
		return nil, err
	}
	name := strings.ToValidUTF8(part.FileName(), "\uFFFD")
	hint := part.Header.Get("Content-Type")
	switch {
	case fields.chunkReady():
		return nil, asChunked(s.putChunk(ctx, fields, u, &thenRest{r: part, rest: form.rest}, nil))
	case fields.notChunk() || r.ContentLength > s.files.maxChunk+chunkFormSlack:
		return s.uploadWhole(ctx, u, name, hint, nil, &thenRest{r: part, rest: wholeRest(form)})
	}

	sp := &spool{budget: s.files.spool}
	defer sp.Close()
	more, err := sp.fill(part, s.files.maxChunk)
	if err != nil {
		return nil, err
	}
	held, err := sp.Reader()
	if err != nil {
		return nil, err
	}
	if more {
		return s.uploadWhole(ctx, u, name, hint, nil, &thenRest{r: io.MultiReader(held, part), rest: wholeRest(form)})
	}
	if err := form.rest(); err != nil {
		return nil, err
	}
	if fields, err = form.fields(); err != nil {
		return nil, err
	}
	size := sp.Len()
	if fields.isChunk() {
		if fields.chunkSize == nil || *fields.chunkSize != size {
			return nil, &uploadError{code: http.StatusBadRequest, status: true, msg: msgChunkSizeMismatch}
		}
		return nil, asChunked(s.putChunk(ctx, fields, u, held, &size))
	}
	return s.uploadWhole(ctx, u, name, hint, &size, held)
}

// wholeRest reads the rest of the form after a file streamed as a whole
// file, and refuses to store it if the form turns out to be a chunk's: a
// chunk longer than the largest one.
func wholeRest(form *uploadForm) func() error {
	return func() error {
		if err := form.rest(); err != nil {
			return err
		}
		fields, err := form.fields()
		if err != nil {
			return err
		}
		if fields.isChunk() {
			return &uploadError{code: http.StatusBadRequest, status: true, msg: msgChunkSizeMismatch}
		}
		return nil
	}
}

func (s *Server) uploadWhole(ctx context.Context, u upload, name, hint string, size *int64, body io.Reader) (*storagev1.StoredFile, error) {
	return storage.Upload(ctx, s.files.client, &storagev1.UploadHeader{
		DatasetId: u.dataset.GetId(), DatasetSlug: u.dataset.GetSlug(), ResourceId: u.resourceID,
		Filename: name, ContentTypeHint: hint, Size: size,
		OrganizationId: u.dataset.GetOrganization().GetId(),
	}, body)
}

func (s *Server) putChunk(ctx context.Context, f uploadFields, u upload, body io.Reader, size *int64) error {
	index, err := int32Field("partindex", f.partIndex)
	if err != nil {
		return err
	}
	total, err := int32Field("totalparts", f.totalParts)
	if err != nil {
		return err
	}
	if f.partOffset == nil {
		return &uploadError{code: http.StatusBadRequest, status: true, msg: "Missing partbyteoffset parameter"}
	}
	if f.chunkSize == nil {
		return &uploadError{code: http.StatusBadRequest, status: true, msg: msgChunkSizeMismatch}
	}
	_, err = storage.PutChunk(ctx, s.files.client, &storagev1.ChunkHeader{
		DatasetId: u.dataset.GetId(), Uuid: f.uuid, Filename: f.filename,
		PartIndex: index, PartByteOffset: *f.partOffset, TotalParts: total, ChunkSize: *f.chunkSize,
		OrganizationId: u.dataset.GetOrganization().GetId(),
	}, body)
	return err
}

// thenRest reads r, then, at its end, calls rest: an error from rest is
// returned instead of io.EOF, which makes the storage helpers cancel the
// call (nothing is stored).
type thenRest struct {
	r    io.Reader
	rest func() error
	done bool
}

func (t *thenRest) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if errors.Is(err, io.EOF) && !t.done {
		t.done = true
		if rerr := t.rest(); rerr != nil {
			return n, rerr
		}
	}
	return n, err
}

// publishUpload records a stored file in the catalog — a new resource, or
// the replaced resource's new file — and answers the resource with
// "success": true. If the catalog refuses, the file is deleted: no stored
// file outlives a failed upload. A replaced file is deleted once its
// resource points at the new one.
func (s *Server) publishUpload(w http.ResponseWriter, r *http.Request, u upload, f *storagev1.StoredFile) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), publishTimeout)
	defer cancel()
	size := f.GetSize()
	in := &catalogv1.ResourceInput{
		Id:       u.resourceID,
		Title:    f.GetTitle(),
		Filetype: "file",
		Type:     "main",
		Format:   f.GetFormat(),
		Url:      s.fileURL(f.GetUrlPath()),
		Checksum: &catalogv1.Checksum{Type: "sha1", Value: f.GetSha1()},
		Filesize: &size,
		Mime:     f.GetMime(),
	}
	var res *catalogv1.Resource
	var err error
	code := http.StatusCreated
	if u.replaced == nil {
		var resp *catalogv1.CreateResourceResponse
		resp, err = s.catalog.CreateResource(ctx, &catalogv1.CreateResourceRequest{Dataset: u.dataset.GetId(), Resource: in})
		res = resp.GetResource()
	} else {
		code = http.StatusOK
		var resp *catalogv1.UpdateResourceResponse
		resp, err = s.catalog.UpdateResource(ctx, &catalogv1.UpdateResourceRequest{
			Dataset: u.dataset.GetId(), ResourceId: u.resourceID, Input: in,
			UpdateMask: &fieldmaskpb.FieldMask{Paths: replacedPaths},
		})
		res = resp.GetResource()
	}
	if err != nil {
		s.deleteFile(ctx, f.GetKey(), "publish failed")
		s.fail(w, r, err, kindResource)
		return
	}
	if u.replaced != nil {
		if old, ok := s.storedKey(u.replaced); ok && old != f.GetKey() {
			s.deleteFile(ctx, old, "replaced")
		}
	}
	s.writeJSON(w, code, func(jw *udata.Writer) { s.render.UploadedResource(jw, res) })
}

// fileURL is the public URL of a stored file.
func (s *Server) fileURL(urlPath string) string {
	return s.render.BaseURL() + urlPath
}

// storedKey returns the storage key of a resource whose url is one of the
// portal's stored files.
func (s *Server) storedKey(res *catalogv1.Resource) (string, bool) {
	prefix := s.render.BaseURL() + "/resources/"
	if res.GetFiletype() != "file" || !strings.HasPrefix(res.GetUrl(), prefix) {
		return "", false
	}
	return strings.TrimPrefix(res.GetUrl(), s.render.BaseURL()+"/"), true
}

// deleteFile removes a stored file; a failure is logged (the file is
// invisible through the API, only its bytes remain).
func (s *Server) deleteFile(ctx context.Context, key, why string) {
	if _, err := s.files.client.DeleteFile(s.files.ctx(ctx), &storagev1.DeleteFileRequest{Key: key}); err != nil {
		s.log.ErrorContext(ctx, "delete stored file failed", "key", key, "why", why, "err", err)
	}
}

// newUUID4 returns a random UUID (version 4), lowercase and dashed.
func newUUID4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}
