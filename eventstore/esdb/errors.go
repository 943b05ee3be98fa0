package esdb

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/petitionledger/petitionledger/eventstore"
)

// ErrAppendOutcomeUnknown reports an append whose acknowledgement was lost
// (the connection dropped, or the server timed out, after the request may
// have reached it) and that was NOT retried because a retry could write the
// events twice: its expectation was Any or StreamExists. The events may or
// may not be in the stream. It comes together with eventstore.ErrUnavailable,
// or with the context's error when the caller's context ended while the
// append was under way. Callers that must not double-write should append
// with NoStream or Exact, which this backend retries safely.
var ErrAppendOutcomeUnknown = errors.New("esdb: append outcome unknown")

// failure says what a client error means for a retry.
type failure int

const (
	// failPermanent: retrying cannot help (wrong expected revision, deleted
	// stream, bad argument, access denied, ...).
	failPermanent failure = iota
	// failNotApplied: the server certainly did not perform the request (it
	// answered "not leader" or "not ready", or no connection existed).
	failNotApplied
	// failAmbiguous: the request may or may not have been performed (the
	// connection dropped or the call timed out after it was sent).
	failAmbiguous
	// failClientClosed: the client library closed itself after failing to
	// discover a node; nothing was sent. The Store must make a new client.
	failClientClosed
)

// Messages of the real server's NotHandled answers (RpcExceptions.cs): the
// request was refused before it was processed.
var notAppliedUnavailableMessages = []string{"Server Is Not Ready", "Server Is Too Busy"}

// classify says whether a raw client error is worth a retry, and whether the
// request may have been applied.
func classify(err error) failure {
	var esErr *client.Error
	if !errors.As(err, &esErr) {
		return classifyStatus(err)
	}
	switch esErr.Code() {
	case client.ErrorCodeNotLeader:
		return failNotApplied
	case client.ErrorCodeConnectionClosed:
		return failClientClosed
	case client.ErrorUnavailable:
		if unavailableBeforeSending(err) {
			return failNotApplied
		}
		return failAmbiguous
	case client.ErrorAborted, client.ErrorCodeDeadlineExceeded:
		return failAmbiguous
	case client.ErrorCodeResourceNotFound:
		if isNotLeaderWithoutEndpoint(err) {
			return failNotApplied
		}
		return failPermanent
	case client.ErrorCodeUnknown:
		return classifyStatus(err)
	}
	return failPermanent
}

// unavailableBeforeSending recognises an Unavailable that certainly came
// before the request was sent: the server's NotHandled answers, or grpc-go
// failing the call because no transport could be dialled.
func unavailableBeforeSending(err error) bool {
	st, ok := grpcStatus(err)
	if !ok || st.Code() != codes.Unavailable {
		return false
	}
	for _, m := range notAppliedUnavailableMessages {
		if st.Message() == m {
			return true
		}
	}
	return strings.Contains(st.Message(), "Error while dialing")
}

// classifyStatus classifies an error by its gRPC status alone.
func classifyStatus(err error) failure {
	st, ok := grpcStatus(err)
	if !ok {
		// Not a gRPC status: the client failed to start or finish the
		// call in a way it does not classify ("failed to initiate
		// subscription"). Whether the server acted is unknown.
		return failAmbiguous
	}
	switch st.Code() {
	case codes.Unavailable:
		if unavailableBeforeSending(err) {
			return failNotApplied
		}
		return failAmbiguous
	case codes.Aborted, codes.DeadlineExceeded, codes.Internal, codes.Canceled:
		return failAmbiguous
	}
	if isNotLeaderWithoutEndpoint(err) {
		return failNotApplied
	}
	return failPermanent
}

// grpcStatus finds the gRPC status wrapped anywhere in err, with its own
// message (status.FromError would prepend the wrappers' text).
func grpcStatus(err error) (*status.Status, bool) {
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		if st := se.GRPCStatus(); st != nil {
			return st, true
		}
	}
	return nil, false
}

// isNotLeaderWithoutEndpoint recognises the server's "not leader" answer when
// the client could not use its leader endpoint (it then reports a plain
// ResourceNotFound).
func isNotLeaderWithoutEndpoint(err error) bool {
	st, ok := grpcStatus(err)
	return ok && st.Code() == codes.NotFound && st.Message() == "Leader info available"
}

// opInfo is what an operation tells the error mapper.
type opInfo struct {
	op       string // "append", "read stream", "read $all", "subscribe", "delete", "tombstone"
	stream   string // "" for $all
	expected eventstore.ExpectedRevision
}

// mapError turns a client error into the eventstore error it means, wrapped
// with %w and the operation. ctxErr is the caller's ctx.Err() (a cancelled
// or expired caller context wins over whatever the client reported).
func mapError(info opInfo, ctxErr error, err error) error {
	if err == nil {
		return nil
	}
	where := info.op
	if info.stream != "" {
		where = fmt.Sprintf("%s %q", info.op, info.stream)
	}
	if ctxErr != nil {
		return fmt.Errorf("esdb: %s: %w", where, ctxErr)
	}
	if errors.Is(err, eventstore.ErrClosed) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("esdb: %s: %w", where, err)
	}
	if typed := typedError(info, err); typed != nil {
		return fmt.Errorf("esdb: %s: %w", where, typed)
	}
	return fmt.Errorf("esdb: %s: %w: %v", where, sentinelFor(info, err), err)
}

// typedError returns the structured eventstore error for err, or nil when a
// sentinel is all there is.
func typedError(info opInfo, err error) error {
	var esErr *client.Error
	isClientErr := errors.As(err, &esErr)
	switch {
	case isClientErr && esErr.Code() == client.ErrorCodeWrongExpectedVersion:
		actual, ok := parseAppendWrongExpected(esErr.Error())
		if !ok {
			return fmt.Errorf("%w: %v (actual revision unreadable)", eventstore.ErrWrongExpectedRev, err)
		}
		return &eventstore.WrongExpectedRevisionError{Stream: info.stream, Expected: info.expected, Actual: actual}
	case isClientErr && esErr.Code() == client.ErrorCodeStreamDeleted:
		return &eventstore.StreamDeletedError{Stream: info.stream}
	case isClientErr && esErr.Code() == client.ErrorCodeResourceNotFound && !isNotLeaderWithoutEndpoint(err):
		return &eventstore.StreamNotFoundError{Stream: info.stream}
	}
	if st, ok := grpcStatus(err); ok && st.Code() == codes.FailedPrecondition && streamDeletedRE.MatchString(st.Message()) {
		// A subscription's drop error is the bare status: the client reads
		// no trailers there.
		return &eventstore.StreamDeletedError{Stream: info.stream}
	}
	if st, ok := grpcStatus(err); ok && st.Code() == codes.FailedPrecondition &&
		strings.Contains(st.Message(), "WrongExpectedVersion") {
		actual, ok := parseDeleteWrongExpected(st.Message())
		if !ok {
			return fmt.Errorf("%w: %v (actual revision unreadable)", eventstore.ErrWrongExpectedRev, err)
		}
		return &eventstore.WrongExpectedRevisionError{Stream: info.stream, Expected: info.expected, Actual: actual}
	}
	return nil
}

// sentinelFor picks the eventstore sentinel for an error typedError did not
// recognise.
func sentinelFor(info opInfo, err error) error {
	var esErr *client.Error
	if errors.As(err, &esErr) {
		switch esErr.Code() {
		case client.ErrorCodeAccessDenied, client.ErrorCodeUnauthenticated:
			return eventstore.ErrAccessDenied
		case client.ErrorCodeParsing:
			return eventstore.ErrCorrupt
		case client.ErrorCodeUnsupportedFeature, client.ErrorCodeResourceAlreadyExists:
			return eventstore.ErrInvalidArgument
		case client.ErrorCodeNotLeader, client.ErrorUnavailable, client.ErrorAborted,
			client.ErrorCodeDeadlineExceeded, client.ErrorCodeConnectionClosed,
			client.ErrorCodeResourceNotFound, client.ErrorCodeInternalServer,
			client.ErrorCodeInternalClient:
			return eventstore.ErrUnavailable
		}
	}
	st, ok := grpcStatus(err)
	if !ok {
		return eventstore.ErrUnavailable
	}
	switch st.Code() {
	case codes.InvalidArgument:
		if isAppendTooLargeMessage(st.Message()) {
			return eventstore.ErrAppendTooLarge
		}
		return eventstore.ErrInvalidArgument
	case codes.ResourceExhausted:
		if info.op == "append" {
			return eventstore.ErrAppendTooLarge
		}
		return eventstore.ErrUnavailable
	case codes.FailedPrecondition, codes.OutOfRange, codes.AlreadyExists, codes.Unimplemented:
		return eventstore.ErrInvalidArgument
	case codes.PermissionDenied, codes.Unauthenticated:
		return eventstore.ErrAccessDenied
	case codes.DataLoss:
		return eventstore.ErrCorrupt
	}
	return eventstore.ErrUnavailable
}

// isAppendTooLargeMessage recognises the real server's messages for an
// append over its size limits (RpcExceptions.MaxAppendSizeExceeded and
// MaxAppendEventSizeExceeded); the client drops the trailers that say it.
func isAppendTooLargeMessage(msg string) bool {
	return strings.Contains(msg, "Maximum Append Size") || strings.Contains(msg, "Maximum Append Event Size")
}

// The real server's status message for a deleted stream
// (RpcExceptions.StreamDeleted).
var streamDeletedRE = regexp.MustCompile(`^Event stream '.*' is deleted\.$`)

// The client turns an append's wrong_expected_version response into this
// text (client.go, AppendToStream); the structured fields are not exposed.
var appendWrongExpectedRE = regexp.MustCompile(`expecting '([^']*)' but got '([^']*)'`)

// parseAppendWrongExpected reads the actual revision out of the client's
// wrong-expected-version message. The client prints the revision with
// strconv.Itoa(int(rev)), so a negative number is a uint64 above MaxInt64.
func parseAppendWrongExpected(msg string) (eventstore.CurrentRevision, bool) {
	m := appendWrongExpectedRE.FindStringSubmatch(msg)
	if m == nil {
		return eventstore.CurrentRevision{}, false
	}
	if m[2] == "no_stream" {
		return eventstore.CurrentRevision{NoStream: true}, true
	}
	n, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil {
		return eventstore.CurrentRevision{}, false
	}
	return eventstore.CurrentRevision{Revision: uint64(n)}, true
}

// The real server's status message for a failed delete or tombstone
// expectation (RpcExceptions.WrongExpectedVersion). The client drops the
// trailers that carry the same numbers, so the message is all we have.
var deleteWrongExpectedRE = regexp.MustCompile(`Actual version: (-?[0-9]*)$`)

// parseDeleteWrongExpected reads the actual version out of the server's
// message. Versions are .NET longs: -1 (or empty) means no stream.
func parseDeleteWrongExpected(msg string) (eventstore.CurrentRevision, bool) {
	m := deleteWrongExpectedRE.FindStringSubmatch(msg)
	if m == nil {
		return eventstore.CurrentRevision{}, false
	}
	if m[1] == "" {
		return eventstore.CurrentRevision{NoStream: true}, true
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n < -1 {
		return eventstore.CurrentRevision{}, false
	}
	if n == -1 {
		return eventstore.CurrentRevision{NoStream: true}, true
	}
	return eventstore.CurrentRevision{Revision: uint64(n)}, true
}
