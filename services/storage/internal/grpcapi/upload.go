package grpcapi

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage/internal/app"
)

var errNoHeader = status.Error(codes.InvalidArgument, "the first message must be the header")

func (s *Server) Upload(stream storagev1.StorageService_UploadServer) error {
	ctx := stream.Context()
	if err := s.authorize(ctx); err != nil {
		return err
	}
	first, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		return errNoHeader
	}
	if err != nil {
		return err
	}
	h := first.GetHeader()
	if h == nil {
		return errNoHeader
	}
	size := int64(-1)
	if h.Size != nil {
		size = h.GetSize()
	}
	body := &streamReader{recv: func() ([]byte, error) {
		m, err := stream.Recv()
		if err != nil {
			return nil, err
		}
		if m.GetHeader() != nil {
			return nil, errHeaderAgain
		}
		return m.GetData(), nil
	}}
	f, err := s.app.Upload(ctx, app.UploadInput{
		DatasetID: h.GetDatasetId(), DatasetSlug: h.GetDatasetSlug(), ResourceID: h.GetResourceId(),
		OrganizationID: h.GetOrganizationId(),
		Filename:       h.GetFilename(), Hint: h.GetContentTypeHint(), Size: size, Body: body,
	})
	if err != nil {
		return s.err(ctx, err)
	}
	return stream.SendAndClose(&storagev1.UploadResponse{File: storedFile(f)})
}

func (s *Server) PutChunk(stream storagev1.StorageService_PutChunkServer) error {
	ctx := stream.Context()
	if err := s.authorize(ctx); err != nil {
		return err
	}
	first, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		return errNoHeader
	}
	if err != nil {
		return err
	}
	h := first.GetHeader()
	if h == nil {
		return errNoHeader
	}
	body := &streamReader{recv: func() ([]byte, error) {
		m, err := stream.Recv()
		if err != nil {
			return nil, err
		}
		if m.GetHeader() != nil {
			return nil, errHeaderAgain
		}
		return m.GetData(), nil
	}}
	n, err := s.app.PutChunk(ctx, app.ChunkInput{
		DatasetID: h.GetDatasetId(), UUID: h.GetUuid(), Filename: h.GetFilename(),
		PartIndex: int(h.GetPartIndex()), PartOffset: h.GetPartByteOffset(), TotalParts: int(h.GetTotalParts()),
		ChunkSize: h.GetChunkSize(), Body: body, OrganizationID: h.GetOrganizationId(),
	})
	if err != nil {
		return s.err(ctx, err)
	}
	return stream.SendAndClose(&storagev1.PutChunkResponse{PartsReceived: int32(n)})
}

func (s *Server) CompleteChunkedUpload(ctx context.Context, req *storagev1.CompleteChunkedUploadRequest) (*storagev1.CompleteChunkedUploadResponse, error) {
	if err := s.authorize(ctx); err != nil {
		return nil, err
	}
	f, err := s.app.CompleteChunkedUpload(ctx, app.CompleteInput{
		DatasetID: req.GetDatasetId(), DatasetSlug: req.GetDatasetSlug(), UUID: req.GetUuid(),
		Filename: req.GetFilename(), TotalParts: int(req.GetTotalParts()), Hint: req.GetContentTypeHint(),
		ResourceID: req.GetResourceId(), OrganizationID: req.GetOrganizationId(),
	})
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &storagev1.CompleteChunkedUploadResponse{File: storedFile(f)}, nil
}

func (s *Server) GetUsage(ctx context.Context, req *storagev1.GetUsageRequest) (*storagev1.GetUsageResponse, error) {
	if err := s.authorize(ctx); err != nil {
		return nil, err
	}
	u, err := s.app.Usage(ctx, req.GetOrganizationId())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &storagev1.GetUsageResponse{UsedBytes: u.UsedBytes, QuotaBytes: u.QuotaBytes, Files: u.Files}, nil
}
