// Package memstore is a small in-memory eventstore.Store for the
// projections' tests and benchmarks: appends (expected revision Any or
// NoStream), $all reads and catch-up subscriptions to $all. It is not a
// backend: stream reads, filters, deletes and idempotency are not
// implemented and return ErrInvalidArgument.
package memstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Store keeps every event in one slice; positions are 1-based indexes.
type Store struct {
	mu      sync.Mutex
	events  []eventstore.RecordedEvent
	streams map[string]uint64 // next revision
	grew    chan struct{}     // closed and replaced on every append
	closed  bool
}

var _ eventstore.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{streams: map[string]uint64{}, grew: make(chan struct{})}
}

// Now is the clock for Created; tests may replace it.
var Now = func() time.Time { return time.Unix(1_700_000_000, 0).UTC() }

// Append implements eventstore.Store (Any and NoStream only).
func (s *Store) Append(_ context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	next, exists := s.streams[stream]
	switch expected.(type) {
	case eventstore.Any:
	case eventstore.NoStream:
		if exists {
			return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: expected}
		}
	default:
		return eventstore.AppendResult{}, fmt.Errorf("%w: memstore supports Any and NoStream", eventstore.ErrInvalidArgument)
	}
	for _, e := range events {
		p := uint64(len(s.events) + 1)
		ct := e.ContentType
		if ct == "" {
			ct = eventstore.ContentTypeJSON
		}
		s.events = append(s.events, eventstore.RecordedEvent{
			Stream: stream, Revision: next, Position: eventstore.Position{Commit: p, Prepare: p},
			ID: e.ID, Type: e.Type, ContentType: ct, Data: e.Data, Metadata: e.Metadata, Created: Now(),
		})
		next++
	}
	s.streams[stream] = next
	close(s.grew)
	s.grew = make(chan struct{})
	p := uint64(len(s.events))
	return eventstore.AppendResult{NextRevision: next - 1, Position: eventstore.Position{Commit: p, Prepare: p}}, nil
}

// Len returns the number of events.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

// ReadStream is not implemented.
func (s *Store) ReadStream(context.Context, string, eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	return nil, fmt.Errorf("%w: memstore has no stream reads", eventstore.ErrInvalidArgument)
}

// ReadAll implements forwards and backwards reads, optionally filtered by
// prefixes (forwards only).
func (s *Store) ReadAll(_ context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	if opts.Filter != nil && (opts.Filter.Regex != "" || opts.Direction != eventstore.Forwards) {
		return nil, fmt.Errorf("%w: memstore filters take prefixes, forwards only", eventstore.ErrInvalidArgument)
	}
	match, err := eventstore.CompileFilter(opts.Filter)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := uint64(len(s.events))
	limit := opts.MaxCount
	if limit == 0 {
		limit = n
	}
	var out []eventstore.RecordedEvent
	if opts.Direction == eventstore.Forwards {
		i := uint64(0)
		switch f := opts.From.(type) {
		case eventstore.End:
			i = n
		case eventstore.Position:
			if f.Commit > 0 {
				i = f.Commit - 1
			}
		}
		for ; i < n && uint64(len(out)) < limit; i++ {
			if match.Match(s.events[i].Stream, s.events[i].Type) {
				out = append(out, s.events[i])
			}
		}
		return out, nil
	}
	i := n // events strictly before From
	if f, ok := opts.From.(eventstore.Position); ok && f.Commit <= n {
		i = f.Commit - min(f.Commit, 1)
	} else if _, ok := opts.From.(eventstore.Start); ok {
		i = 0
	}
	for ; i > 0 && uint64(len(out)) < limit; i-- {
		out = append(out, s.events[i-1])
	}
	return out, nil
}

// SubscribeToStream is not implemented.
func (s *Store) SubscribeToStream(context.Context, string, eventstore.StreamFrom) (eventstore.Subscription, error) {
	return nil, fmt.Errorf("%w: memstore has no stream subscriptions", eventstore.ErrInvalidArgument)
}

// SubscribeToAll implements a catch-up subscription, optionally filtered
// by event type or stream prefixes (no regex), with a Checkpoint after
// every CheckpointInterval events the filter skips.
func (s *Store) SubscribeToAll(_ context.Context, from eventstore.AllFrom, opts eventstore.SubscribeAllOptions) (eventstore.Subscription, error) {
	if opts.Filter != nil && opts.Filter.Regex != "" {
		return nil, fmt.Errorf("%w: memstore filters take prefixes only", eventstore.ErrInvalidArgument)
	}
	filter, err := eventstore.CompileFilter(opts.Filter)
	if err != nil {
		return nil, err
	}
	interval := opts.CheckpointInterval
	if interval == 0 {
		interval = 32
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := uint64(0) // index of the next event to deliver
	switch f := from.(type) {
	case eventstore.End:
		next = uint64(len(s.events))
	case eventstore.Position:
		next = f.Commit // exclusive
	}
	return &subscription{s: s, next: next, done: make(chan struct{}), filter: filter, interval: interval}, nil
}

type subscription struct {
	s        *Store
	next     uint64
	caughtUp bool
	batch    []eventstore.SubscriptionMessage
	done     chan struct{}
	once     sync.Once
	filter   *eventstore.FilterMatcher // nil: every event
	interval uint32
	skipped  uint32
}

func (sub *subscription) matches(ev *eventstore.RecordedEvent) bool {
	return sub.filter.Match(ev.Stream, ev.Type)
}

func (sub *subscription) Next(ctx context.Context) (eventstore.SubscriptionMessage, error) {
	for {
		select {
		case <-sub.done:
			return eventstore.SubscriptionMessage{}, eventstore.ErrSubscriptionClosed
		default:
		}
		if len(sub.batch) > 0 {
			m := sub.batch[0]
			sub.batch = sub.batch[1:]
			return m, nil
		}
		sub.s.mu.Lock()
		n := uint64(len(sub.s.events))
		if sub.next < n {
			end := min(n, sub.next+1024)
			sub.batch = nil // never reuse: earlier messages may still be held
			for i := sub.next; i < end; i++ {
				ev := sub.s.events[i]
				if sub.matches(&ev) {
					sub.batch = append(sub.batch, eventstore.SubscriptionMessage{Event: &ev})
				} else if sub.skipped++; sub.skipped >= sub.interval {
					sub.skipped = 0
					cp := ev.Position
					sub.batch = append(sub.batch, eventstore.SubscriptionMessage{Checkpoint: &cp})
				}
			}
			sub.next = end
			sub.s.mu.Unlock()
			continue
		}
		grew := sub.s.grew
		sub.s.mu.Unlock()
		if !sub.caughtUp {
			sub.caughtUp = true
			return eventstore.SubscriptionMessage{CaughtUp: true}, nil
		}
		select {
		case <-grew:
		case <-ctx.Done():
			return eventstore.SubscriptionMessage{}, ctx.Err()
		case <-sub.done:
			return eventstore.SubscriptionMessage{}, eventstore.ErrSubscriptionClosed
		}
	}
}

func (sub *subscription) Close() error {
	sub.once.Do(func() { close(sub.done) })
	return nil
}

// Tombstone is not implemented.
func (s *Store) Tombstone(context.Context, string, eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	return eventstore.DeleteResult{}, fmt.Errorf("%w: memstore has no deletes", eventstore.ErrInvalidArgument)
}

// Delete is not implemented.
func (s *Store) Delete(context.Context, string, eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	return eventstore.DeleteResult{}, fmt.Errorf("%w: memstore has no deletes", eventstore.ErrInvalidArgument)
}

// Close closes the store.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}
