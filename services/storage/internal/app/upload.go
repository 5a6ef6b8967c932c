package app

import (
	"context"
	"io"

	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/store"
)

// UploadInput is a file sent in one request.
type UploadInput struct {
	DatasetID   string
	DatasetSlug string
	ResourceID  string // optional: the resource whose file this replaces
	// OrganizationID owns the dataset (optional): the file counts towards
	// its quota.
	OrganizationID string
	Filename       string
	Hint           string // the client's Content-Type
	Size           int64  // -1 when unknown
	Body           io.Reader
}

// Upload stores a file sent in one request.
func (s *Service) Upload(ctx context.Context, in UploadInput) (store.File, error) {
	if in.Size < -1 {
		return store.File{}, domain.Invalid("size %d is negative", in.Size)
	}
	return s.ingest(ctx, ingestInput{
		DatasetID: in.DatasetID, DatasetSlug: in.DatasetSlug, ResourceID: in.ResourceID, OrganizationID: in.OrganizationID,
		Filename: in.Filename, Hint: in.Hint, Size: in.Size, Body: in.Body,
	})
}
