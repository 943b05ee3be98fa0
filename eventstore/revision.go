package eventstore

import "fmt"

// ExpectedRevision is what an append (or delete) expects the stream's current
// revision to be. It is sealed: the only implementations are Any, NoStream,
// StreamExists and Exact.
type ExpectedRevision interface {
	isExpectedRevision()
	fmt.Stringer
}

// Any accepts the append whatever state the stream is in (unless tombstoned).
type Any struct{}

// NoStream requires that the stream does not exist. (How a soft-deleted
// stream answers follows EventStoreDB; storetest pins it: NoStream is
// accepted on a soft-deleted stream and revives it, unless the proposed
// IDs are an idempotent retry of its first events.)
type NoStream struct{}

// StreamExists requires that the stream exists and holds at least one event.
// On a soft-deleted stream it fails with *StreamDeletedError, as in
// EventStoreDB (IndexWriter.CheckCommit).
type StreamExists struct{}

// Exact requires that the stream's last event has exactly this revision.
type Exact uint64

func (Any) isExpectedRevision()          {}
func (NoStream) isExpectedRevision()     {}
func (StreamExists) isExpectedRevision() {}
func (Exact) isExpectedRevision()        {}

func (Any) String() string          { return "any" }
func (NoStream) String() string     { return "no-stream" }
func (StreamExists) String() string { return "stream-exists" }
func (e Exact) String() string      { return fmt.Sprintf("%d", uint64(e)) }

// CurrentRevision describes a stream's actual state when an expectation fails.
// NoStream is true when the stream does not exist; otherwise Revision is the
// revision of its last event.
type CurrentRevision struct {
	NoStream bool
	Revision uint64
}

func (c CurrentRevision) String() string {
	if c.NoStream {
		return "no-stream"
	}
	return fmt.Sprintf("%d", c.Revision)
}
