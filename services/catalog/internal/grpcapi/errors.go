package grpcapi

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/relais-data/relais/services/catalog/internal/domain"
)

// ErrorDomain is the ErrorInfo domain of the catalog's errors.
const ErrorDomain = "relais.catalog"

// ReasonDeleted is the ErrorInfo reason of a soft-deleted object (HTTP 410).
const ReasonDeleted = "DELETED"

// Status turns an error of the application layer into a gRPC status:
// NOT_FOUND (with ErrorInfo DELETED for soft-deleted objects),
// PERMISSION_DENIED, UNAUTHENTICATED with udata's message,
// INVALID_ARGUMENT with a BadRequest of field violations, ALREADY_EXISTS,
// FAILED_PRECONDITION; anything else is logged and becomes INTERNAL.
func Status(ctx context.Context, log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var ve *domain.ValidationError
	var ae *domain.AuthError
	switch {
	case errors.As(err, &ve):
		br := &errdetails.BadRequest{}
		for _, v := range ve.Violations {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Message})
		}
		return withDetails(codes.InvalidArgument, ve.Error(), br)
	case errors.As(err, &ae):
		return status.Error(codes.Unauthenticated, ae.Message)
	case errors.Is(err, domain.ErrDeleted):
		return withDetails(codes.NotFound, err.Error(), &errdetails.ErrorInfo{Reason: ReasonDeleted, Domain: ErrorDomain})
	case errors.Is(err, domain.ErrNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, domain.ErrPermissionDenied):
		return status.Error(codes.PermissionDenied, domain.ErrPermissionDenied.Error())
	case errors.Is(err, domain.ErrAlreadyExists):
		return status.Error(codes.AlreadyExists, err.Error())
	case errors.Is(err, domain.ErrFailedPrecondition):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	log.ErrorContext(ctx, "catalog request failed", "err", err)
	return status.Error(codes.Internal, "internal error")
}

func withDetails(c codes.Code, msg string, details ...protoadapt.MessageV1) error {
	st := status.New(c, msg)
	for _, d := range details {
		if ds, err := st.WithDetails(d); err == nil {
			st = ds
		}
	}
	return st.Err()
}
