package grpcapi

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/services/storage/internal/domain"
)

// ErrorDomain is the ErrorInfo domain of the storage service's errors.
const ErrorDomain = "relais.storage"

// Status turns an application error into a gRPC status (see the service
// comment in storage.proto for the table). Refusals carry an ErrorInfo
// with their reason; unexpected errors are logged and become INTERNAL.
func Status(ctx context.Context, log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	switch {
	case errors.As(err, &de):
		code := codes.InvalidArgument
		switch de.Reason {
		case domain.ReasonUploadBusy:
			code = codes.Aborted
		case domain.ReasonUploadNotFound:
			code = codes.NotFound
		case domain.ReasonQuotaExceeded:
			code = codes.ResourceExhausted
		}
		st := status.New(code, de.Message)
		if ds, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: de.Reason, Domain: ErrorDomain, Metadata: de.Metadata}); derr == nil {
			st = ds
		}
		return st.Err()
	case errors.Is(err, domain.ErrNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, domain.ErrOutOfRange):
		return status.Error(codes.OutOfRange, err.Error())
	case errors.Is(err, domain.ErrNotSupported):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, domain.ErrUnavailable):
		return status.Error(codes.Unavailable, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown {
		// A status from the stream itself: the client cancelled.
		return status.Error(st.Code(), st.Message())
	}
	log.ErrorContext(ctx, "storage request failed", "err", err)
	return status.Error(codes.Internal, "internal error")
}
