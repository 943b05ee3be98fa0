package memstore

import (
	"context"
	"fmt"
	"math"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

func (s *Store) deleteLocked(stream string, exp eventstore.ExpectedRevision) (int64, error) {
	dec, cur := s.checkLocked(stream, exp, []uuid.UUID{uuid.New()})
	switch dec {
	case decDeleted:
		return cur, &eventstore.StreamDeletedError{Stream: stream}
	case decWrong:
		return cur, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: exp, Actual: current(cur)}
	}
	return cur, nil
}

// Delete implements eventstore.Store: a soft delete writing $tb = max int64.
func (s *Store) Delete(ctx context.Context, stream string, exp eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	return s.deleteWith(stream, exp, func(cur int64) (eventstore.RecordedEvent, error) {
		ms := s.stream(eventstore.MetadataStreamName(stream))
		if cur < 0 && ms.last < 0 {
			return eventstore.RecordedEvent{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: exp, Actual: current(cur)}
		}
		return s.writeLocked(eventstore.MetadataStreamName(stream), uint64(ms.last+1), eventstore.EventData{ID: uuid.New(),
			Type: eventstore.MetadataEventType, ContentType: eventstore.ContentTypeJSON,
			Data: []byte(fmt.Sprintf(`{"$tb":%d}`, int64(math.MaxInt64)))}), nil
	})
}

// Tombstone implements eventstore.Store: the stream is deleted for ever.
func (s *Store) Tombstone(ctx context.Context, stream string, exp eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	return s.deleteWith(stream, exp, func(int64) (eventstore.RecordedEvent, error) {
		r := s.writeLocked(stream, math.MaxInt64, eventstore.EventData{ID: uuid.New(), Type: eventstore.TombstoneEventType,
			ContentType: eventstore.ContentTypeBinary})
		s.stream(stream).tombstoned = true
		return r, nil
	})
}

// deleteWith checks a delete of stream with expectation exp, then records
// it with write (given the stream's current revision, -1 for none; the
// store's lock is held) and wakes the subscriptions.
func (s *Store) deleteWith(stream string, exp eventstore.ExpectedRevision,
	write func(cur int64) (eventstore.RecordedEvent, error)) (eventstore.DeleteResult, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.DeleteResult{}, err
	}
	if err := s.lockOpen(); err != nil {
		return eventstore.DeleteResult{}, err
	}
	defer s.mu.Unlock()
	cur, err := s.deleteLocked(stream, exp)
	if err != nil {
		return eventstore.DeleteResult{}, err
	}
	r, err := write(cur)
	if err != nil {
		return eventstore.DeleteResult{}, err
	}
	s.notifyLocked()
	return eventstore.DeleteResult{Position: r.Position}, nil
}
