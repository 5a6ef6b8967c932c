package grpcapi

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	previewv1 "github.com/relais-data/relais/proto/relais/preview/v1"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// status turns an error into a gRPC status: api-tabular's errors keep
// their HTTP status and body in a HttpError detail.
func (s *Server) status(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var te *tabular.Error
	switch {
	case errors.As(err, &te):
		code := codes.InvalidArgument
		switch {
		case te.Status == 404:
			code = codes.NotFound
		case te.Status >= 500:
			code = codes.Internal
		}
		st, derr := status.New(code, te.Error()).WithDetails(&previewv1.HttpError{
			Status: int32(te.Status), Body: te.Body, ContentType: te.ContentType,
		})
		if derr != nil {
			return status.Error(code, te.Error())
		}
		return st.Err()
	case errors.Is(err, records.ErrNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return status.FromContextError(err).Err()
	}
	s.opts.Log.ErrorContext(ctx, "preview rpc failed", "err", err)
	return status.Error(codes.Internal, "internal error")
}
