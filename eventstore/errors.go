package eventstore

import (
	"errors"
	"fmt"
)

// Sentinel errors. Backends wrap them with context (stream, file, offset);
// callers test them with errors.Is.
var (
	ErrStreamNotFound     = errors.New("eventstore: stream not found")
	ErrStreamDeleted      = errors.New("eventstore: stream deleted") // tombstoned
	ErrWrongExpectedRev   = errors.New("eventstore: wrong expected revision")
	ErrInvalidArgument    = errors.New("eventstore: invalid argument")
	ErrAppendTooLarge     = errors.New("eventstore: append too large")
	ErrClosed             = errors.New("eventstore: store closed")
	ErrUnavailable        = errors.New("eventstore: unavailable")
	ErrAccessDenied       = errors.New("eventstore: access denied")
	ErrCorrupt            = errors.New("eventstore: corrupt data")
	ErrSubscriptionClosed = errors.New("eventstore: subscription closed")
)

// WrongExpectedRevisionError reports a failed expectation. It matches
// ErrWrongExpectedRev with errors.Is.
type WrongExpectedRevisionError struct {
	Stream   string
	Expected ExpectedRevision
	Actual   CurrentRevision
}

func (e *WrongExpectedRevisionError) Error() string {
	return fmt.Sprintf("eventstore: wrong expected revision on stream %q: expected %s, actual %s",
		e.Stream, e.Expected, e.Actual)
}

// Is makes errors.Is(err, ErrWrongExpectedRev) true.
func (e *WrongExpectedRevisionError) Is(target error) bool { return target == ErrWrongExpectedRev }

// StreamDeletedError reports an operation on a tombstoned stream (or an
// append or delete expecting StreamExists on a soft-deleted one). It
// matches ErrStreamDeleted with errors.Is.
type StreamDeletedError struct{ Stream string }

func (e *StreamDeletedError) Error() string {
	return fmt.Sprintf("eventstore: stream %q is deleted", e.Stream)
}

// Is makes errors.Is(err, ErrStreamDeleted) true.
func (e *StreamDeletedError) Is(target error) bool { return target == ErrStreamDeleted }

// StreamNotFoundError reports a read of a stream that does not exist or was
// soft-deleted. It matches ErrStreamNotFound with errors.Is.
type StreamNotFoundError struct{ Stream string }

func (e *StreamNotFoundError) Error() string {
	return fmt.Sprintf("eventstore: stream %q not found", e.Stream)
}

// Is makes errors.Is(err, ErrStreamNotFound) true.
func (e *StreamNotFoundError) Is(target error) bool { return target == ErrStreamNotFound }
