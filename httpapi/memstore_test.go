package httpapi_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// memStore is a minimal in-memory eventstore.Store for the HTTP tests:
// appends with Any or NoStream, forward $all reads and catch-up $all
// subscriptions — what a projections.Runner needs. Everything else answers
// ErrInvalidArgument.
type memStore struct {
	mu      sync.Mutex
	events  []eventstore.RecordedEvent
	streams map[string]uint64
	grew    chan struct{}
}

var _ eventstore.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{streams: map[string]uint64{}, grew: make(chan struct{})}
}

func (s *memStore) Append(_ context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next, exists := s.streams[stream]
	if _, ok := expected.(eventstore.NoStream); ok && exists {
		return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: expected}
	}
	for _, e := range events {
		pos := uint64(len(s.events) + 1)
		s.events = append(s.events, eventstore.RecordedEvent{Stream: stream, Revision: next,
			Position: eventstore.Position{Commit: pos, Prepare: pos}, ID: e.ID, Type: e.Type,
			ContentType: eventstore.ContentTypeJSON, Data: e.Data, Metadata: e.Metadata,
			Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		next++
	}
	s.streams[stream] = next
	close(s.grew)
	s.grew = make(chan struct{})
	pos := uint64(len(s.events))
	return eventstore.AppendResult{NextRevision: next - 1, Position: eventstore.Position{Commit: pos, Prepare: pos}}, nil
}

func (s *memStore) ReadStream(context.Context, string, eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	return nil, fmt.Errorf("%w: memStore has no stream reads", eventstore.ErrInvalidArgument)
}

// ReadAll reads forwards from a position (the projections read lifecycle
// events back by position for as-of replays) or backwards from the end.
func (s *memStore) ReadAll(_ context.Context, o eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := o.MaxCount
	if limit == 0 {
		limit = uint64(len(s.events))
	}
	var out []eventstore.RecordedEvent
	if o.Direction == eventstore.Backwards {
		for i := len(s.events) - 1; i >= 0 && uint64(len(out)) < limit; i-- {
			out = append(out, s.events[i])
		}
		return out, nil
	}
	start := uint64(0)
	if p, ok := o.From.(eventstore.Position); ok && p.Commit > 0 {
		start = p.Commit - 1
	}
	for i := start; i < uint64(len(s.events)) && uint64(len(out)) < limit; i++ {
		out = append(out, s.events[i])
	}
	return out, nil
}

func (s *memStore) SubscribeToStream(context.Context, string, eventstore.StreamFrom) (eventstore.Subscription, error) {
	return nil, fmt.Errorf("%w: memStore has no stream subscriptions", eventstore.ErrInvalidArgument)
}

func (s *memStore) SubscribeToAll(_ context.Context, from eventstore.AllFrom, _ eventstore.SubscribeAllOptions) (eventstore.Subscription, error) {
	next := 0
	if p, ok := from.(eventstore.Position); ok {
		next = int(p.Commit) // exclusive: the event after p
	}
	return &memSub{s: s, next: next, done: make(chan struct{})}, nil
}

func (s *memStore) Delete(context.Context, string, eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	return eventstore.DeleteResult{}, eventstore.ErrInvalidArgument
}

func (s *memStore) Tombstone(context.Context, string, eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	return eventstore.DeleteResult{}, eventstore.ErrInvalidArgument
}

func (s *memStore) Close() error { return nil }

type memSub struct {
	s        *memStore
	next     int
	caughtUp bool
	once     sync.Once
	done     chan struct{} // closed by Close
}

func (m *memSub) Next(ctx context.Context) (eventstore.SubscriptionMessage, error) {
	for {
		select {
		case <-m.done:
			return eventstore.SubscriptionMessage{}, eventstore.ErrSubscriptionClosed
		default:
		}
		m.s.mu.Lock()
		if m.next < len(m.s.events) {
			ev := m.s.events[m.next]
			m.next++
			m.s.mu.Unlock()
			return eventstore.SubscriptionMessage{Event: &ev}, nil
		}
		grew := m.s.grew
		m.s.mu.Unlock()
		if !m.caughtUp {
			m.caughtUp = true
			return eventstore.SubscriptionMessage{CaughtUp: true}, nil
		}
		select {
		case <-grew:
		case <-ctx.Done():
			return eventstore.SubscriptionMessage{}, ctx.Err()
		case <-m.done:
			return eventstore.SubscriptionMessage{}, eventstore.ErrSubscriptionClosed
		}
	}
}

func (m *memSub) Close() error { m.once.Do(func() { close(m.done) }); return nil }
