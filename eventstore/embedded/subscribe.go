package embedded

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/petitionledger/petitionledger/eventstore"
)

// A subscription pulls from the log at its consumer's pace: each Next
// serves a small buffer, refilled by an ordinary read from where the last
// one stopped. When a read finds nothing new it waits for the head-moved
// broadcast it took before reading, so no commit can slip between the read
// and the wait. Writers never wait for subscribers and nothing is queued
// for a slow one.

// subBatch is how many messages one refill reads.
const subBatch = 256

// defaultCheckpointInterval is EventStoreDB's default.
const defaultCheckpointInterval = 32

type subscription struct {
	s      *Store
	stream string // "" for $all

	// $all cursor
	pos       uint64 // last position read (exclusive) or first to read (when !started)
	started   bool
	match     func(*record) bool
	interval  uint32
	sinceCkpt uint32

	// stream cursor
	next uint64 // next revision to deliver

	buf      []eventstore.SubscriptionMessage
	backing  []eventstore.SubscriptionMessage // buf's array, reused by every fill (messages are handed out by value)
	events   []eventstore.RecordedEvent       // unused tail of the last chunk of events (each is handed out by pointer, never reused)
	caughtUp bool
	err      error // sticky end of the subscription

	life context.Context // the subscribe call's context ends the subscription

	mu        sync.Mutex // serialises Next
	closeOnce sync.Once
	closed    chan struct{}
}

// SubscribeToStream subscribes to one stream. See eventstore.Store.
func (s *Store) SubscribeToStream(ctx context.Context, stream string, from eventstore.StreamFrom) (eventstore.Subscription, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, fmt.Errorf("embedded: subscribe: %w", err)
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	sub := &subscription{s: s, stream: stream, life: ctx, closed: make(chan struct{})}
	switch f := from.(type) {
	case eventstore.Revision:
		if uint64(f) == math.MaxUint64 {
			return nil, fmt.Errorf("embedded: subscribe to %q: %w: revision out of range", stream, eventstore.ErrInvalidArgument)
		}
		sub.next = uint64(f) + 1
	case eventstore.End:
		st, err := s.streamState(stream)
		if err != nil {
			return nil, err
		}
		sub.next = uint64(len(st.positions))
	}
	return sub, nil
}

// SubscribeToAll subscribes to $all. See eventstore.Store.
func (s *Store) SubscribeToAll(ctx context.Context, from eventstore.AllFrom, opts eventstore.SubscribeAllOptions) (eventstore.Subscription, error) {
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	match, err := compileFilter(opts.Filter)
	if err != nil {
		return nil, err
	}
	sub := &subscription{s: s, match: match, interval: opts.CheckpointInterval, life: ctx, closed: make(chan struct{})}
	if sub.interval == 0 {
		sub.interval = defaultCheckpointInterval
	}
	switch f := from.(type) {
	case eventstore.Position:
		sub.pos, sub.started = f.Commit, f.Commit != 0
	case eventstore.End:
		sub.pos = s.snapshotView().head
	}
	return sub, nil
}

// Next returns the next message. See eventstore.Subscription.
func (sub *subscription) Next(ctx context.Context) (eventstore.SubscriptionMessage, error) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	for {
		select {
		case <-sub.closed:
			return eventstore.SubscriptionMessage{}, eventstore.ErrSubscriptionClosed
		default:
		}
		if len(sub.buf) > 0 {
			m := sub.buf[0]
			sub.buf[0] = eventstore.SubscriptionMessage{}
			sub.buf = sub.buf[1:]
			return m, nil
		}
		if sub.err != nil {
			return eventstore.SubscriptionMessage{}, sub.err
		}
		if err := ctx.Err(); err != nil {
			return eventstore.SubscriptionMessage{}, err
		}
		if err := sub.life.Err(); err != nil {
			return eventstore.SubscriptionMessage{}, fmt.Errorf("%w: %w", eventstore.ErrSubscriptionClosed, err)
		}
		sub.s.mu.RLock()
		notify := sub.s.notify
		sub.s.mu.RUnlock()
		if sub.s.isClosed() {
			return eventstore.SubscriptionMessage{}, fmt.Errorf("%w: %w", eventstore.ErrSubscriptionClosed, eventstore.ErrClosed)
		}
		if err := sub.fill(); err != nil {
			sub.err = err
			continue
		}
		if len(sub.buf) > 0 {
			continue
		}
		if !sub.caughtUp {
			sub.caughtUp = true
			return eventstore.SubscriptionMessage{CaughtUp: true}, nil
		}
		select {
		case <-notify:
		case <-ctx.Done():
			return eventstore.SubscriptionMessage{}, ctx.Err()
		case <-sub.life.Done():
		case <-sub.closed:
		}
	}
}

// Close ends the subscription. See eventstore.Subscription.
func (sub *subscription) Close() error {
	sub.closeOnce.Do(func() { close(sub.closed) })
	return nil
}

func (sub *subscription) fill() error {
	if sub.backing == nil {
		sub.backing = make([]eventstore.SubscriptionMessage, 0, subBatch+1)
	}
	sub.buf = sub.backing[:0]
	if sub.stream != "" {
		return sub.fillStream()
	}
	return sub.fillAll()
}

func (sub *subscription) fillAll() error {
	s := sub.s
	v := s.snapshotView()
	var a arena
	err := s.scanForward(v, sub.pos, sub.started, func(p uint64, r *record) bool {
		sub.pos, sub.started = p, true
		if sub.match == nil || sub.match(r) {
			ev := sub.newEvent()
			*ev = r.toRecordedIn(p, &a)
			sub.buf = append(sub.buf, eventstore.SubscriptionMessage{Event: ev})
		}
		if sub.match != nil {
			if sub.sinceCkpt++; sub.sinceCkpt >= sub.interval {
				sub.sinceCkpt = 0
				cp := eventstore.Position{Commit: p, Prepare: p}
				sub.buf = append(sub.buf, eventstore.SubscriptionMessage{Checkpoint: &cp})
			}
		}
		return len(sub.buf) < subBatch
	})
	return s.closedOr(err)
}

// eventChunk is how many events one allocation holds: a fill of a live
// subscription makes one allocation per eventChunk events, not one each.
// An event handed out keeps its chunk (about 3 KiB) alive.
const eventChunk = 16

// newEvent returns a fresh event from the current chunk. Chunks are never
// reused: a consumer may keep every event it was given.
func (sub *subscription) newEvent() *eventstore.RecordedEvent {
	if len(sub.events) == 0 {
		sub.events = make([]eventstore.RecordedEvent, eventChunk)
	}
	ev := &sub.events[0]
	sub.events = sub.events[1:]
	return ev
}

func (sub *subscription) fillStream() error {
	s := sub.s
	st, err := s.streamState(sub.stream)
	if err != nil {
		return s.closedOr(err)
	}
	if st.tombstoned {
		return &eventstore.StreamDeletedError{Stream: sub.stream}
	}
	if st.lo == math.MaxInt64 {
		return nil // soft-deleted: nothing visible until it is recreated
	}
	for rev := max(sub.next, st.lo); rev < uint64(len(st.positions)) && len(sub.buf) < subBatch; rev++ {
		r, err := s.readRecordLocked(st.positions[rev])
		if err != nil {
			return s.closedOr(err)
		}
		sub.next = rev + 1
		if st.minTicks != 0 && r.ticks < st.minTicks {
			continue
		}
		ev := r.toRecorded(st.positions[rev])
		sub.buf = append(sub.buf, eventstore.SubscriptionMessage{Event: &ev})
	}
	return nil
}
