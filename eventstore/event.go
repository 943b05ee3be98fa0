package eventstore

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Content types an event may declare.
const (
	ContentTypeJSON   = "application/json"
	ContentTypeBinary = "application/octet-stream"
)

// EventData is an event as the caller proposes it.
type EventData struct {
	ID          uuid.UUID
	Type        string
	ContentType string // ContentTypeJSON or ContentTypeBinary; empty means JSON
	Data        []byte
	Metadata    []byte
}

// Position is a place in the $all log. Positions are totally ordered by
// (Commit, Prepare) and strictly increase with every event written; they need
// not be contiguous. The embedded store sets Commit == Prepare.
type Position struct {
	Commit  uint64
	Prepare uint64
}

// StartPosition is the position before the first event of $all.
var StartPosition = Position{}

// Compare returns -1, 0 or +1 as p is before, equal to, or after q.
func (p Position) Compare(q Position) int {
	switch {
	case p.Commit < q.Commit:
		return -1
	case p.Commit > q.Commit:
		return 1
	case p.Prepare < q.Prepare:
		return -1
	case p.Prepare > q.Prepare:
		return 1
	}
	return 0
}

func (p Position) String() string {
	if p.Commit == p.Prepare {
		return fmt.Sprintf("%d", p.Commit)
	}
	return fmt.Sprintf("C:%d/P:%d", p.Commit, p.Prepare)
}

// RecordedEvent is an event as the store recorded it.
type RecordedEvent struct {
	Stream      string
	Revision    uint64   // 0-based, gap-free within the stream
	Position    Position // place in $all
	ID          uuid.UUID
	Type        string
	ContentType string
	Data        []byte
	Metadata    []byte
	Created     time.Time // UTC
}

// AppendResult is what a successful append returns.
type AppendResult struct {
	// NextRevision is the stream's revision after the append: the revision of
	// the last event written.
	NextRevision uint64
	// Position is the $all position of the last event written.
	Position Position
}

// DeleteResult is what a delete or tombstone returns: the position of the
// record that marks the deletion.
type DeleteResult struct {
	Position Position
}
