package esdbserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Trailer keys and "exception" values of the real server
// (Services/Transport/Grpc/Constants.cs).
const (
	trailerException          = "exception"
	trailerStreamName         = "stream-name"
	trailerExpectedVersion    = "expected-version"
	trailerActualVersion      = "actual-version"
	trailerMaxAppendSize      = "maximum-append-size"
	trailerMaxAppendEventSize = "maximum-append-event-size"
	trailerProposedEventSize  = "proposed-append-event-size"
	trailerEventID            = "event-id"
	trailerRequiredMetadata   = "required-metadata-properties"

	exceptionStreamDeleted         = "stream-deleted"
	exceptionStreamNotFound        = "stream-not-found"
	exceptionWrongExpectedVersion  = "wrong-expected-version"
	exceptionAccessDenied          = "access-denied"
	exceptionMaxAppendSize         = "maximum-append-size-exceeded"
	exceptionMaxAppendEventSize    = "maximum-append-event-size-exceeded"
	exceptionMissingRequiredMeta   = "missing-required-metadata-property"
	requiredMetadataPropertiesList = "type,content-type"
)

// rpcError is a gRPC status together with the trailers that describe it,
// as the real server's RpcException carries them.
type rpcError struct {
	st       *status.Status
	trailers metadata.MD
}

func (e *rpcError) Error() string              { return e.st.Err().Error() }
func (e *rpcError) GRPCStatus() *status.Status { return e.st }

func newRPCError(code codes.Code, msg string, kv ...string) *rpcError {
	return &rpcError{st: status.New(code, msg), trailers: metadata.Pairs(kv...)}
}

// finish sets e's trailers on the call and returns the status error to
// return from the handler. Other errors pass through unchanged.
func finish(ctx context.Context, err error) error {
	var re *rpcError
	if errors.As(err, &re) {
		if len(re.trailers) > 0 {
			_ = setTrailer(ctx, re.trailers)
		}
		return re.st.Err()
	}
	return err
}

// invalidArgument is a malformed request for which the real server has no
// exception key.
func invalidArgument(format string, args ...any) *rpcError {
	return newRPCError(codes.InvalidArgument, fmt.Sprintf(format, args...))
}

func streamDeletedError(stream string) *rpcError {
	return newRPCError(codes.FailedPrecondition, fmt.Sprintf("Event stream '%s' is deleted.", stream),
		trailerException, exceptionStreamDeleted, trailerStreamName, stream)
}

func streamNotFoundError(stream string) *rpcError {
	return newRPCError(codes.NotFound, fmt.Sprintf("Event stream '%s' is not found.", stream),
		trailerException, exceptionStreamNotFound, trailerStreamName, stream)
}

func accessDeniedError() *rpcError {
	return newRPCError(codes.PermissionDenied, "Access Denied", trailerException, exceptionAccessDenied)
}

func maxAppendSizeError(limit int) *rpcError {
	return newRPCError(codes.InvalidArgument, fmt.Sprintf("Maximum Append Size of %d Exceeded.", limit),
		trailerException, exceptionMaxAppendSize, trailerMaxAppendSize, strconv.Itoa(limit))
}

func maxAppendEventSizeError(eventID string, size, limit int) *rpcError {
	return newRPCError(codes.InvalidArgument,
		fmt.Sprintf("Event with Id: %s, Size: %d, exceeds Maximum Append Event Size of %d.", eventID, size, limit),
		trailerException, exceptionMaxAppendEventSize, trailerMaxAppendEventSize, strconv.Itoa(limit),
		trailerEventID, eventID, trailerProposedEventSize, strconv.Itoa(size))
}

func missingMetadataError(property string) *rpcError {
	return newRPCError(codes.InvalidArgument, fmt.Sprintf("Required Metadata Property '%s' is missing", property),
		trailerException, exceptionMissingRequiredMeta, trailerRequiredMetadata, requiredMetadataPropertiesList)
}

// wrongExpectedVersionError is the FailedPrecondition a delete or tombstone
// gets when its expectation fails (RpcExceptions.WrongExpectedVersion; the
// real server names the operation "Delete" for both).
func wrongExpectedVersionError(stream string, expected eventstore.ExpectedRevision, actual *eventstore.CurrentRevision) *rpcError {
	exp := dotnetExpectedVersion(expected)
	act := ""
	if actual != nil {
		act = strconv.FormatInt(dotnetCurrentVersion(*actual), 10)
	}
	msg := fmt.Sprintf("Delete failed due to WrongExpectedVersion. Stream: %s, Expected version: %d, Actual version: %s", stream, exp, act)
	return newRPCError(codes.FailedPrecondition, msg,
		trailerException, exceptionWrongExpectedVersion, trailerStreamName, stream,
		trailerExpectedVersion, strconv.FormatInt(exp, 10), trailerActualVersion, act)
}

// storeError maps a Store error to the status the real server would give
// for the same condition. Wrong expected revisions are handled by the
// callers: an Append answers them in its response.
func (s *Server) storeError(ctx context.Context, op, stream string, err error) error {
	var deleted *eventstore.StreamDeletedError
	var wrong *eventstore.WrongExpectedRevisionError
	switch {
	case errors.As(err, &deleted), errors.Is(err, eventstore.ErrStreamDeleted):
		return streamDeletedError(stream)
	case errors.As(err, &wrong):
		return wrongExpectedVersionError(stream, wrong.Expected, &wrong.Actual)
	case errors.Is(err, eventstore.ErrStreamNotFound):
		return streamNotFoundError(stream)
	case errors.Is(err, eventstore.ErrAppendTooLarge):
		return maxAppendSizeError(s.opts.MaxAppendSize)
	case errors.Is(err, eventstore.ErrInvalidArgument):
		return invalidArgument("%v", err)
	case errors.Is(err, eventstore.ErrAccessDenied):
		return accessDeniedError()
	case errors.Is(err, eventstore.ErrClosed):
		// Nothing was done: clients may retry safely (the real server's
		// NotReady answer).
		return newRPCError(codes.Unavailable, "Server Is Not Ready")
	case errors.Is(err, eventstore.ErrUnavailable):
		return newRPCError(codes.Unavailable, fmt.Sprintf("Store unavailable: %v", err))
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, eventstore.ErrCorrupt):
		s.log.Error("esdbserver: store data corrupt", slog.String("op", op), slog.String("stream", stream), slog.Any("err", err))
		return status.Error(codes.DataLoss, err.Error())
	}
	s.log.Error("esdbserver: store error", slog.String("op", op), slog.String("stream", stream), slog.Any("err", err))
	return status.Error(codes.Unknown, err.Error())
}

// setTrailer sets trailers on the call in ctx (unary or streaming).
func setTrailer(ctx context.Context, md metadata.MD) error { return grpc.SetTrailer(ctx, md) }
