package grpcapi

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/types/known/timestamppb"

	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage/internal/app"
)

// downloadChunk is the size of Download's data messages.
const downloadChunk = 512 << 10

func (s *Server) Stat(ctx context.Context, req *storagev1.StatRequest) (*storagev1.StatResponse, error) {
	if err := s.authorize(ctx); err != nil {
		return nil, err
	}
	f, err := s.app.Stat(ctx, req.GetKey())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &storagev1.StatResponse{File: storedFile(f)}, nil
}

func (s *Server) Download(req *storagev1.DownloadRequest, stream storagev1.StorageService_DownloadServer) error {
	ctx := stream.Context()
	if err := s.authorize(ctx); err != nil {
		return err
	}
	o, err := s.app.Open(ctx, req.GetKey(), app.Range{Offset: req.Offset, Length: req.Length})
	if err != nil {
		return s.err(ctx, err)
	}
	defer o.Body.Close()
	if err := stream.Send(&storagev1.DownloadResponse{Msg: &storagev1.DownloadResponse_Header{Header: &storagev1.DownloadHeader{
		File: storedFile(o.File), Offset: o.Offset, Length: o.Length,
	}}}); err != nil {
		return err
	}
	buf := make([]byte, downloadChunk)
	var sent int64
	for {
		n, err := io.ReadFull(o.Body, buf)
		if n > 0 {
			// Send marshals the message before it returns: buf can be reused.
			if err := stream.Send(&storagev1.DownloadResponse{Msg: &storagev1.DownloadResponse_Data{Data: buf[:n]}}); err != nil {
				return err
			}
			sent += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return s.err(ctx, fmt.Errorf("read %s: %w", o.File.Key, err))
		}
	}
	if sent != o.Length {
		return s.err(ctx, fmt.Errorf("read %s: %d bytes of %d", o.File.Key, sent, o.Length))
	}
	return nil
}

func (s *Server) PresignDownload(ctx context.Context, req *storagev1.PresignDownloadRequest) (*storagev1.PresignDownloadResponse, error) {
	if err := s.authorize(ctx); err != nil {
		return nil, err
	}
	url, expires, err := s.app.Presign(ctx, req.GetKey(), req.GetFilename(), req.GetTtl().AsDuration())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &storagev1.PresignDownloadResponse{Url: url, ExpiresAt: timestamppb.New(expires)}, nil
}

func (s *Server) VerifyFile(ctx context.Context, req *storagev1.VerifyFileRequest) (*storagev1.VerifyFileResponse, error) {
	if err := s.authorize(ctx); err != nil {
		return nil, err
	}
	v, err := s.app.Verify(ctx, req.GetKey())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &storagev1.VerifyFileResponse{Ok: v.OK(), File: storedFile(v.File), ActualSha256: v.ActualSHA256, ActualSize: v.ActualSize}, nil
}

func (s *Server) DeleteFile(ctx context.Context, req *storagev1.DeleteFileRequest) (*storagev1.DeleteFileResponse, error) {
	if err := s.authorize(ctx); err != nil {
		return nil, err
	}
	deleted, err := s.app.Delete(ctx, req.GetKey())
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &storagev1.DeleteFileResponse{Deleted: deleted}, nil
}

func (s *Server) RecordDownload(ctx context.Context, req *storagev1.RecordDownloadRequest) (*storagev1.RecordDownloadResponse, error) {
	if err := s.authorize(ctx); err != nil {
		return nil, err
	}
	id, err := s.app.RecordDownload(ctx, app.DownloadInput{
		ResourceID: req.GetResourceId(), DatasetID: req.GetDatasetId(), Key: req.GetKey(),
		Bytes: req.GetBytes(), IsBot: req.GetUserAgentIsBot(), EventID: req.GetEventId(),
	})
	if err != nil {
		return nil, s.err(ctx, err)
	}
	return &storagev1.RecordDownloadResponse{EventId: id}, nil
}
