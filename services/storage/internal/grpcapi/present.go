package grpcapi

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/store"
)

func storedFile(f store.File) *storagev1.StoredFile {
	return &storagev1.StoredFile{
		Key:              f.Key,
		UrlPath:          domain.URLPath(f.Key),
		DatasetId:        f.DatasetID,
		ResourceId:       f.ResourceID,
		Filename:         f.Filename,
		Title:            f.Filename,
		OriginalFilename: f.OriginalFilename,
		Size:             f.Size,
		Sha1:             f.SHA1,
		Sha256:           f.SHA256,
		Mime:             f.MIME,
		Format:           f.Format,
		CreatedAt:        timestamppb.New(f.CreatedAt),
	}
}
