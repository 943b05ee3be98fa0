// Package memstore is the in-memory reference eventstore.Store, written
// from EventStoreDB's source: expected revisions with idempotent retries
// (IndexWriter.CheckCommit), stream metadata ($maxCount, $maxAge, $tb), soft
// delete and revival, tombstones, filtered reads and catch-up
// subscriptions with checkpoints. It passes the storetest conformance suite
// (which it also proves passable) and serves as the shared fake for other
// packages' tests. It favours clarity over speed and keeps nothing on disk.
//
// Positions are 16 times the 1-based index of the event in the log;
// Created is the wall clock (UTC), never earlier than the previous event's.
package memstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Store is the in-memory reference store. The zero value is not usable;
// call New.
type Store struct {
	mu      sync.Mutex
	log     []eventstore.RecordedEvent
	streams map[string]*streamState
	changed chan struct{} // closed and replaced on every write
	closed  bool
}

type streamState struct {
	last       int64 // -1: no events
	logIndex   []int // by revision
	tombstoned bool
}

var _ eventstore.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{streams: map[string]*streamState{}, changed: make(chan struct{})}
}

func (s *Store) stream(name string) *streamState {
	st := s.streams[name]
	if st == nil {
		st = &streamState{last: -1}
		s.streams[name] = st
	}
	return st
}

func (s *Store) writeLocked(stream string, rev uint64, e eventstore.EventData) eventstore.RecordedEvent {
	pos := uint64(len(s.log)+1) * 16
	ct := e.ContentType
	if ct == "" {
		ct = eventstore.ContentTypeJSON
	}
	r := eventstore.RecordedEvent{Stream: stream, Revision: rev, Position: eventstore.Position{Commit: pos, Prepare: pos},
		ID: e.ID, Type: e.Type, ContentType: ct, Data: clone(e.Data), Metadata: clone(e.Metadata), Created: time.Now().UTC()}
	if n := len(s.log); n > 0 && r.Created.Before(s.log[n-1].Created) {
		r.Created = s.log[n-1].Created
	}
	s.log = append(s.log, r)
	st := s.stream(stream)
	if e.Type != eventstore.TombstoneEventType {
		st.logIndex = append(st.logIndex, len(s.log)-1)
		st.last = int64(rev)
	}
	return r
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// lockOpen locks the store, or returns ErrClosed (unlocked) when it is
// closed. The caller unlocks.
func (s *Store) lockOpen() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return eventstore.ErrClosed
	}
	return nil
}

func (s *Store) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Store) metaLocked(stream string) eventstore.StreamMetadata {
	ms := s.streams[eventstore.MetadataStreamName(stream)]
	if ms == nil || ms.last < 0 {
		return eventstore.StreamMetadata{}
	}
	m, err := eventstore.ParseStreamMetadata(s.log[ms.logIndex[ms.last]].Data)
	if err != nil {
		return eventstore.StreamMetadata{}
	}
	return m
}

func (s *Store) softDeletedLocked(stream string) bool {
	tb := s.metaLocked(stream).TruncateBefore
	return tb != nil && *tb == eventstore.DeletedStreamTruncateBefore
}

type decision int

const (
	decOK decision = iota
	decWrong
	decDeleted
	decIdempotent
)

// checkLocked is IndexWriter.CheckCommit (without the best-effort cache).
func (s *Store) checkLocked(stream string, exp eventstore.ExpectedRevision, ids []uuid.UUID) (decision, int64) {
	st := s.stream(stream)
	cur := st.last
	if st.tombstoned {
		return decDeleted, cur
	}
	switch exp.(type) {
	case eventstore.StreamExists:
		if s.softDeletedLocked(stream) {
			return decDeleted, cur
		}
		if cur < 0 {
			return decWrong, cur
		}
		return decOK, cur
	case eventstore.Any:
		return decOK, cur
	}
	e := int64(-1)
	if x, ok := exp.(eventstore.Exact); ok {
		e = int64(x)
	}
	switch {
	case e > cur:
		return decWrong, cur
	case e == cur:
		return decOK, cur
	}
	for i, id := range ids {
		rev := e + 1 + int64(i)
		if rev <= cur && s.log[st.logIndex[rev]].ID == id {
			continue
		}
		if i > 0 {
			return decWrong, cur
		}
		if _, ok := exp.(eventstore.NoStream); ok && s.softDeletedLocked(stream) {
			return decOK, cur
		}
		return decWrong, cur
	}
	if len(ids) == 0 {
		return decWrong, cur
	}
	return decIdempotent, e + int64(len(ids))
}

func current(cur int64) eventstore.CurrentRevision {
	if cur < 0 {
		return eventstore.CurrentRevision{NoStream: true}
	}
	return eventstore.CurrentRevision{Revision: uint64(cur)}
}

func validate(stream string, evs []eventstore.EventData) error {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return err
	}
	for _, e := range evs {
		switch {
		case e.Type == "":
			return fmt.Errorf("%w: empty type", eventstore.ErrInvalidArgument)
		case e.ID == uuid.Nil:
			return fmt.Errorf("%w: nil id", eventstore.ErrInvalidArgument)
		case e.ContentType != "" && e.ContentType != eventstore.ContentTypeJSON && e.ContentType != eventstore.ContentTypeBinary:
			return fmt.Errorf("%w: content type", eventstore.ErrInvalidArgument)
		}
	}
	return nil
}

// Append implements eventstore.Store: expected revisions and idempotent
// retries as EventStoreDB checks them, soft-deleted streams revived.
func (s *Store) Append(ctx context.Context, stream string, exp eventstore.ExpectedRevision, evs ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := validate(stream, evs); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := s.lockOpen(); err != nil {
		return eventstore.AppendResult{}, err
	}
	defer s.mu.Unlock()
	ids := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	dec, cur := s.checkLocked(stream, exp, ids)
	st := s.stream(stream)
	switch dec {
	case decDeleted:
		return eventstore.AppendResult{}, &eventstore.StreamDeletedError{Stream: stream}
	case decWrong:
		return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: exp, Actual: current(cur)}
	case decIdempotent:
		return eventstore.AppendResult{NextRevision: uint64(cur), Position: s.log[st.logIndex[cur]].Position}, nil
	}
	if len(evs) == 0 {
		var p eventstore.Position
		if cur >= 0 {
			p = s.log[st.logIndex[cur]].Position
		}
		return eventstore.AppendResult{NextRevision: uint64(max(cur, 0)), Position: p}, nil
	}
	revive := s.softDeletedLocked(stream)
	var r eventstore.RecordedEvent
	for i, e := range evs {
		r = s.writeLocked(stream, uint64(cur+1+int64(i)), e)
	}
	if revive {
		s.reviveLocked(stream, uint64(cur+1))
	}
	s.notifyLocked()
	return eventstore.AppendResult{NextRevision: r.Revision, Position: r.Position}, nil
}

func (s *Store) reviveLocked(stream string, from uint64) {
	body := []byte(fmt.Sprintf(`{"$tb":%d}`, from))
	ms := s.stream(eventstore.MetadataStreamName(stream))
	s.writeLocked(eventstore.MetadataStreamName(stream), uint64(ms.last+1), eventstore.EventData{
		ID: uuid.New(), Type: eventstore.MetadataEventType, ContentType: eventstore.ContentTypeJSON, Data: body})
}

// Close implements eventstore.Store; subscriptions then end with ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.notifyLocked()
	}
	return nil
}
