package eventstore

import (
	"context"
	"fmt"
)

// Store is an event store with EventStoreDB's semantics. Every method is safe
// for concurrent use. The conformance suite in eventstore/storetest pins the
// behaviour described here; every backend must pass it.
type Store interface {
	// Append writes events to the end of stream, atomically, if the stream's
	// state matches expected. It returns only once the events are durable.
	//
	//   - A stream that does not exist is created by the append. Appending zero
	//     events checks the expectation and writes nothing.
	//   - A failed expectation returns *WrongExpectedRevisionError.
	//   - A tombstoned stream returns *StreamDeletedError.
	//   - Idempotency: when expected is NoStream or Exact(n) and the stream
	//     has already moved past it, and the proposed event IDs equal, one for
	//     one and in order, the IDs of the events written right after the
	//     expected revision, Append returns the original AppendResult and
	//     writes nothing. (A retry of only the first k events of the
	//     original gets the revision and position of the k-th.) A partial
	//     match, or a retry longer than what was written, is a wrong
	//     expected revision.
	//   - An event with an empty Type, a nil ID, or an unknown ContentType is
	//     rejected with ErrInvalidArgument and nothing is written.
	Append(ctx context.Context, stream string, expected ExpectedRevision, events ...EventData) (AppendResult, error)

	// ReadStream returns up to opts.MaxCount events of one stream.
	//
	//   - Forwards from Revision(n) returns events with revision >= n;
	//     backwards from Revision(n) returns events with revision <= n, in
	//     descending order. Start and End are the first and last event.
	//   - A stream that does not exist, or is soft-deleted, returns
	//     *StreamNotFoundError; a tombstoned stream returns
	//     *StreamDeletedError.
	//   - Stream metadata ($maxCount, $maxAge, $tb) hides events at read time.
	//     A metadata stream "$$X" reads as if its own $maxCount were 1: only
	//     its latest event (EventStoreDB; the Go client's GetStreamMetadata
	//     relies on it).
	ReadStream(ctx context.Context, stream string, opts ReadStreamOptions) ([]RecordedEvent, error)

	// ReadAll returns up to opts.MaxCount events of the $all log, including
	// system streams, metadata and deleted streams' events, that pass
	// opts.Filter.
	//
	//   - Forwards from position p returns events at or after p; backwards
	//     from p returns events strictly before p, in descending order.
	ReadAll(ctx context.Context, opts ReadAllOptions) ([]RecordedEvent, error)

	// SubscribeToStream delivers the events of one stream after from
	// (exclusive: Revision(n) delivers n+1 onwards; Start delivers every
	// event; End delivers only events written later), then a CaughtUp
	// message, then live events, with no gap and no duplicate.
	SubscribeToStream(ctx context.Context, stream string, from StreamFrom) (Subscription, error)

	// SubscribeToAll is SubscribeToStream for $all, with an optional filter.
	// A filtered subscription also delivers Checkpoint messages while it
	// scans events that do not match.
	SubscribeToAll(ctx context.Context, from AllFrom, opts SubscribeAllOptions) (Subscription, error)

	// Delete soft-deletes a stream: reads return *StreamNotFoundError, and a
	// later append revives it with revisions continuing where they left off.
	// It is recorded by writing $tb (truncate before) to the stream's
	// metadata stream "$$"+stream. A stream with neither events nor
	// metadata cannot be soft-deleted: whatever the expectation, that is a
	// *WrongExpectedRevisionError (EventStoreDB's WriteDelete).
	Delete(ctx context.Context, stream string, expected ExpectedRevision) (DeleteResult, error)

	// Tombstone deletes a stream for ever: reads, appends and stream
	// subscriptions return *StreamDeletedError. It is recorded by writing a
	// "$streamDeleted" event to the stream. A stream that does not exist can
	// be tombstoned with Any or NoStream.
	Tombstone(ctx context.Context, stream string, expected ExpectedRevision) (DeleteResult, error)

	// Close releases the store. Operations after Close return ErrClosed.
	Close() error
}

// Subscription is a catch-up subscription. A slow consumer never blocks
// writers and never makes the store buffer without bound: the subscription
// reads from the store at the consumer's pace.
type Subscription interface {
	// Next blocks until the next message, ctx is done, or the subscription
	// ends. After Close it returns ErrSubscriptionClosed.
	Next(ctx context.Context) (SubscriptionMessage, error)
	// Close ends the subscription and releases its resources.
	Close() error
}

// SubscriptionMessage is one of: an event, the caught-up marker, or a
// checkpoint (filtered $all subscriptions only). Exactly one field is set.
type SubscriptionMessage struct {
	Event      *RecordedEvent
	CaughtUp   bool
	Checkpoint *Position
}

// Direction is the direction of a read.
type Direction int

// Read directions.
const (
	Forwards Direction = iota
	Backwards
)

func (d Direction) String() string {
	if d == Backwards {
		return "backwards"
	}
	return "forwards"
}

// StreamFrom is where a stream read or subscription starts: Start, End or
// Revision(n). It is sealed.
type StreamFrom interface{ isStreamFrom() }

// AllFrom is where a $all read or subscription starts: Start, End or a
// Position. It is sealed.
type AllFrom interface{ isAllFrom() }

// Start is the beginning of a stream or of $all.
type Start struct{}

// End is the end of a stream or of $all.
type End struct{}

// Revision is a revision within a stream.
type Revision uint64

func (Start) isStreamFrom()    {}
func (End) isStreamFrom()      {}
func (Revision) isStreamFrom() {}
func (Start) isAllFrom()       {}
func (End) isAllFrom()         {}
func (Position) isAllFrom()    {}

// ReadStreamOptions configures ReadStream.
type ReadStreamOptions struct {
	Direction Direction
	From      StreamFrom // nil means Start when forwards, End when backwards
	MaxCount  uint64     // 0 means no limit
}

// ReadAllOptions configures ReadAll.
type ReadAllOptions struct {
	Direction Direction
	From      AllFrom // nil means Start when forwards, End when backwards
	MaxCount  uint64  // 0 means no limit
	Filter    *Filter // nil means every event
}

// SubscribeAllOptions configures SubscribeToAll.
type SubscribeAllOptions struct {
	Filter *Filter // nil means every event
	// CheckpointInterval is how many events a filtered subscription scans
	// between Checkpoint messages. 0 means the default, 32.
	CheckpointInterval uint32
}

// FilterOn says what a Filter matches against.
type FilterOn int

// What a filter can match.
const (
	FilterStreamName FilterOn = iota
	FilterEventType
)

// Filter selects events of $all by stream name or event type: an event
// passes when the name starts with any of Prefixes, or (when Regex is set)
// when the unanchored regular expression matches somewhere in the name.
type Filter struct {
	On       FilterOn
	Prefixes []string
	Regex    string
}

// ExcludeSystemEvents is EventStoreDB's filter that drops event types
// starting with "$".
var ExcludeSystemEvents = &Filter{On: FilterEventType, Regex: `^[^\$].*`}

// MetadataStreamName returns "$$"+stream, the stream holding stream's
// metadata.
func MetadataStreamName(stream string) string { return "$$" + stream }

// IsSystemStream reports whether the stream name starts with "$".
func IsSystemStream(stream string) bool { return len(stream) > 0 && stream[0] == '$' }

// ValidateStreamName rejects names a backend cannot store.
func ValidateStreamName(stream string) error {
	if stream == "" {
		return fmt.Errorf("%w: empty stream name", ErrInvalidArgument)
	}
	if len(stream) > MaxStreamNameLen {
		return fmt.Errorf("%w: stream name longer than %d bytes", ErrInvalidArgument, MaxStreamNameLen)
	}
	return nil
}

// MaxStreamNameLen bounds a stream name, in bytes.
const MaxStreamNameLen = 1024
