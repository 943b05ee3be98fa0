package memstore

import (
	"context"
	"sync"

	"github.com/petitionledger/petitionledger/eventstore"
)

// subscription reads the log at the consumer's pace.
type subscription struct {
	s          *Store
	ctx        context.Context
	stream     string                    // "" for $all
	next       int                       // log index of the next event to look at
	afterRev   int64                     // stream subscriptions: deliver revisions > afterRev
	filter     *eventstore.FilterMatcher // nil: every event
	interval   int
	scanned    int
	caughtUp   bool
	mu         sync.Mutex
	closed     bool
	closedChan chan struct{}
}

// SubscribeToStream implements eventstore.Store.
func (s *Store) SubscribeToStream(ctx context.Context, stream string, from eventstore.StreamFrom) (eventstore.Subscription, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	if err := s.lockOpen(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	sub := &subscription{s: s, ctx: ctx, stream: stream, afterRev: -1, closedChan: make(chan struct{})}
	switch f := from.(type) {
	case eventstore.End:
		sub.next = len(s.log)
	case eventstore.Revision:
		sub.afterRev = int64(f)
	}
	return sub, nil
}

// SubscribeToAll implements eventstore.Store, with filters and checkpoints.
func (s *Store) SubscribeToAll(ctx context.Context, from eventstore.AllFrom, opts eventstore.SubscribeAllOptions) (eventstore.Subscription, error) {
	filter, err := eventstore.CompileFilter(opts.Filter)
	if err != nil {
		return nil, err
	}
	if err := s.lockOpen(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	sub := &subscription{s: s, ctx: ctx, filter: filter, interval: int(opts.CheckpointInterval), closedChan: make(chan struct{})}
	if sub.interval == 0 {
		sub.interval = 32
	}
	switch f := from.(type) {
	case eventstore.End:
		sub.next = len(s.log)
	case eventstore.Position:
		for sub.next < len(s.log) && s.log[sub.next].Position.Compare(f) <= 0 {
			sub.next++
		}
	}
	return sub, nil
}

func (m *subscription) Next(ctx context.Context) (eventstore.SubscriptionMessage, error) {
	for {
		m.mu.Lock()
		closed := m.closed
		m.mu.Unlock()
		if closed {
			return eventstore.SubscriptionMessage{}, eventstore.ErrSubscriptionClosed
		}
		if err := ctx.Err(); err != nil {
			return eventstore.SubscriptionMessage{}, err
		}
		if err := m.ctx.Err(); err != nil {
			return eventstore.SubscriptionMessage{}, err
		}
		m.s.mu.Lock()
		msg, ok, err := m.step()
		changed := m.s.changed
		m.s.mu.Unlock()
		if err != nil || ok {
			return msg, err
		}
		select {
		case <-changed:
		case <-ctx.Done():
		case <-m.ctx.Done():
		case <-m.closedChan:
		}
	}
}

// step looks at the log; the store's lock is held.
func (m *subscription) step() (eventstore.SubscriptionMessage, bool, error) {
	if m.s.closed {
		return eventstore.SubscriptionMessage{}, false, eventstore.ErrClosed
	}
	if m.stream != "" {
		if st := m.s.streams[m.stream]; st != nil && st.tombstoned {
			return eventstore.SubscriptionMessage{}, false, &eventstore.StreamDeletedError{Stream: m.stream}
		}
	}
	for m.next < len(m.s.log) {
		r := m.s.log[m.next]
		m.next++
		if m.stream != "" {
			if r.Stream != m.stream {
				continue
			}
			if r.Type == eventstore.TombstoneEventType {
				m.next--
				return eventstore.SubscriptionMessage{}, false, &eventstore.StreamDeletedError{Stream: m.stream}
			}
			if int64(r.Revision) <= m.afterRev {
				continue
			}
			return eventstore.SubscriptionMessage{Event: &r}, true, nil
		}
		if m.filter.Match(r.Stream, r.Type) {
			m.scanned = 0
			return eventstore.SubscriptionMessage{Event: &r}, true, nil
		}
		m.scanned++
		if m.scanned >= m.interval {
			m.scanned = 0
			p := r.Position
			return eventstore.SubscriptionMessage{Checkpoint: &p}, true, nil
		}
	}
	if m.stream != "" {
		if st := m.s.streams[m.stream]; st != nil && st.tombstoned {
			return eventstore.SubscriptionMessage{}, false, &eventstore.StreamDeletedError{Stream: m.stream}
		}
	}
	if !m.caughtUp {
		m.caughtUp = true
		return eventstore.SubscriptionMessage{CaughtUp: true}, true, nil
	}
	return eventstore.SubscriptionMessage{}, false, nil
}

func (m *subscription) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		close(m.closedChan)
	}
	return nil
}
