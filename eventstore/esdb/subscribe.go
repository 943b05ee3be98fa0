package esdb

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// SubscribeToStream subscribes to one stream. See eventstore.Store.
//
// The subscription survives dropped connections and leader changes: it
// subscribes again from the revision of the last event it delivered
// (exclusive), so nothing is skipped and nothing is delivered twice. End is
// pinned, before subscribing, to the stream's last revision at that moment,
// so that a resubscription after a drop cannot skip events written while
// the connection was down.
func (s *Store) SubscribeToStream(ctx context.Context, stream string, from eventstore.StreamFrom) (eventstore.Subscription, error) {
	info := opInfo{op: "subscribe", stream: stream}
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, fmt.Errorf("esdb: subscribe: %w", err)
	}
	var start *uint64 // nil: from the start
	switch v := from.(type) {
	case nil, eventstore.Start:
	case eventstore.Revision:
		n := uint64(v)
		start = &n
	case eventstore.End:
	default:
		return nil, fmt.Errorf("esdb: subscribe %q: %w: unknown stream position %T", stream, eventstore.ErrInvalidArgument, from)
	}
	head, state, err := s.streamHead(ctx, stream)
	if err != nil {
		return nil, mapError(info, ctx.Err(), err)
	}
	if _, ok := from.(eventstore.End); ok && state == streamHasEvents {
		start = &head
	}
	p := &pump{store: s, info: info, stream: stream, lastRev: start}
	// A tombstoned stream's subscription is left for the server to end.
	p.historyDone = state == streamMissing || (state == streamHasEvents && start != nil && *start >= head)
	p.streamHead = head
	return s.startSubscription(ctx, p)
}

// SubscribeToAll subscribes to $all. See eventstore.Store. A filter is applied
// by the server, which also sends the checkpoints. Like SubscribeToStream it
// resubscribes after a drop from the position of the last event delivered,
// and pins End to the last position of $all before subscribing.
func (s *Store) SubscribeToAll(ctx context.Context, from eventstore.AllFrom, opts eventstore.SubscribeAllOptions) (eventstore.Subscription, error) {
	info := opInfo{op: "subscribe $all"}
	filter, window, multiplier, err := toClientFilter(opts.Filter, opts.CheckpointInterval)
	if err != nil {
		return nil, fmt.Errorf("esdb: subscribe $all: %w", err)
	}
	var start *eventstore.Position // nil: from the start
	switch v := from.(type) {
	case nil, eventstore.Start:
	case eventstore.Position:
		start = &v
	case eventstore.End:
	default:
		return nil, fmt.Errorf("esdb: subscribe $all: %w: unknown $all position %T", eventstore.ErrInvalidArgument, from)
	}
	head, exists, err := s.allHead(ctx)
	if err != nil {
		return nil, mapError(info, ctx.Err(), err)
	}
	if _, ok := from.(eventstore.End); ok && exists {
		start = &head
	}
	p := &pump{store: s, info: info, all: true, lastPos: start, filter: filter, window: window, multiplier: multiplier}
	p.historyDone = !exists || (start != nil && start.Compare(head) >= 0)
	p.allHead = head
	return s.startSubscription(ctx, p)
}

// streamState is what a stream looked like before subscribing.
type streamState int

const (
	streamMissing    streamState = iota // not found, soft-deleted, or empty
	streamHasEvents                     // the head revision is known
	streamTombstoned                    // the subscription will report it
)

// streamHead returns the revision of the stream's last event, if it has one.
func (s *Store) streamHead(ctx context.Context, stream string) (uint64, streamState, error) {
	var head uint64
	state := streamMissing
	err := s.retry(ctx, transient, func(c *client.Client) error {
		rs, err := c.ReadStream(ctx, stream, client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, 1)
		if err != nil {
			return err
		}
		return collect(rs, func(e eventstore.RecordedEvent) bool {
			head, state = e.Revision, streamHasEvents
			return false
		})
	})
	var esErr *client.Error
	if errors.As(err, &esErr) {
		switch esErr.Code() {
		case client.ErrorCodeResourceNotFound:
			return 0, streamMissing, nil
		case client.ErrorCodeStreamDeleted:
			return 0, streamTombstoned, nil
		}
	}
	if err != nil {
		// head and state may still be written by an abandoned attempt.
		return 0, streamMissing, err
	}
	return head, state, nil
}

// allHead returns the position of the last event of $all, and whether $all
// has one.
func (s *Store) allHead(ctx context.Context) (eventstore.Position, bool, error) {
	var head eventstore.Position
	var exists bool
	err := s.retry(ctx, transient, func(c *client.Client) error {
		return s.readAllPage(ctx, c, eventstore.Backwards, client.End{}, 1, func(e eventstore.RecordedEvent) bool {
			head, exists = e.Position, true
			return false
		})
	})
	if err != nil {
		return eventstore.Position{}, false, err
	}
	return head, exists, nil
}

// startSubscription opens the first server subscription, then hands it to
// a goroutine that lives until the subscription is closed or ctx ends.
func (s *Store) startSubscription(ctx context.Context, p *pump) (eventstore.Subscription, error) {
	subCtx, cancel := context.WithCancel(ctx)
	first, err := p.open(subCtx)
	if err != nil {
		cancel()
		return nil, mapError(p.info, ctx.Err(), err)
	}
	sub := &subscription{out: make(chan eventstore.SubscriptionMessage), done: make(chan struct{}), cancel: cancel}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		_ = first.Close()
		return nil, fmt.Errorf("esdb: %s: %w", p.info.op, eventstore.ErrClosed)
	}
	s.subs[sub] = cancel
	s.mu.Unlock()
	p.out = sub.out
	go func() {
		sub.err = p.run(subCtx, first)
		close(sub.done)
		s.mu.Lock()
		delete(s.subs, sub)
		s.mu.Unlock()
	}()
	return sub, nil
}

// subscription is the eventstore.Subscription handed to callers. Messages
// pass from the pump goroutine through an unbuffered channel, so the pump
// reads from the server only as fast as the consumer calls Next, and gRPC
// flow control holds the rest on the server.
type subscription struct {
	out    chan eventstore.SubscriptionMessage
	done   chan struct{} // closed when the pump has stopped; err is then set
	err    error
	cancel context.CancelFunc
	closed atomic.Bool
}

var _ eventstore.Subscription = (*subscription)(nil)

// Next returns the next message. See eventstore.Subscription.
func (sub *subscription) Next(ctx context.Context) (eventstore.SubscriptionMessage, error) {
	if sub.closed.Load() {
		return eventstore.SubscriptionMessage{}, eventstore.ErrSubscriptionClosed
	}
	select {
	case m := <-sub.out:
		return m, nil
	case <-sub.done:
		return eventstore.SubscriptionMessage{}, sub.err
	case <-ctx.Done():
		return eventstore.SubscriptionMessage{}, ctx.Err()
	}
}

// Close ends the subscription. It does not wait for the pump goroutine,
// which may be inside a client call that ignores cancellation; it exits
// as soon as that call returns.
func (sub *subscription) Close() error {
	sub.closed.Store(true)
	sub.cancel()
	return nil
}
