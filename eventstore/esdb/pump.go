package esdb

import (
	"context"
	"fmt"
	"log/slog"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// pump runs one catch-up subscription: it reads from the client's
// subscription, turns its messages into eventstore messages, and
// resubscribes after a drop from the last event it delivered.
//
// CaughtUp is emitted exactly once, at the first of: the server's caught_up
// message, or the delivery of the event (or a checkpoint) at or after the
// head of the stream or of $all as it was read before subscribing. The
// second rule serves servers that never send caught_up (before 23.10); the
// head is read before subscribing, so every event that existed when the
// subscription was made comes before the marker.
type pump struct {
	store *Store
	info  opInfo
	out   chan<- eventstore.SubscriptionMessage

	// What to subscribe to.
	all        bool
	stream     string
	filter     *client.SubscriptionFilter
	window     int
	multiplier int

	// Progress: the last event delivered (nil: none yet, subscribe from
	// the start) and the last checkpoint delivered.
	lastRev        *uint64
	lastPos        *eventstore.Position
	lastCheckpoint *eventstore.Position

	// Caught-up tracking.
	historyDone bool // the history known at subscribe time is delivered
	caughtUp    bool // the CaughtUp marker has been emitted
	streamHead  uint64
	allHead     eventstore.Position
}

// open subscribes from the current progress, retrying under the policy.
func (p *pump) open(ctx context.Context) (*client.Subscription, error) {
	var sub *client.Subscription
	err := p.store.retry(ctx, transient, func(c *client.Client) error {
		var err error
		if p.all {
			sub, err = c.SubscribeToAll(ctx, client.SubscribeToAllOptions{
				From: p.allFrom(), Filter: p.filter, MaxSearchWindow: p.window, CheckpointInterval: p.multiplier,
			})
		} else {
			sub, err = c.SubscribeToStream(ctx, p.stream, client.SubscribeToStreamOptions{From: p.streamFrom()})
		}
		return err
	})
	if err != nil {
		// sub may still be written by an abandoned attempt: do not read it.
		return nil, err
	}
	return sub, nil
}

func (p *pump) allFrom() client.AllPosition {
	if p.lastPos == nil {
		return client.Start{}
	}
	return toClientPosition(*p.lastPos)
}

func (p *pump) streamFrom() client.StreamPosition {
	if p.lastRev == nil {
		return client.Start{}
	}
	return client.StreamRevision{Value: *p.lastRev}
}

// run delivers messages until ctx is done or the subscription fails for
// good, and returns why it stopped.
func (p *pump) run(ctx context.Context, sub *client.Subscription) error {
	if p.historyDone && !p.emitCaughtUp(ctx) {
		_ = sub.Close()
		return eventstore.ErrSubscriptionClosed
	}
	failures := 0
	for {
		delivered, err := p.drain(ctx, sub)
		_ = sub.Close()
		if ctx.Err() != nil {
			return eventstore.ErrSubscriptionClosed
		}
		if delivered {
			failures = 0
		}
		if err = p.recover(ctx, err, &failures); err != nil {
			return err
		}
		if sub, err = p.open(ctx); err != nil {
			if ctx.Err() != nil {
				return eventstore.ErrSubscriptionClosed
			}
			return mapError(p.info, nil, err)
		}
	}
}

// recover decides whether a dropped subscription is worth another try and
// waits before it. It returns the terminal error when it is not.
func (p *pump) recover(ctx context.Context, dropErr error, failures *int) error {
	kind := classify(dropErr)
	if !transient(kind) && kind != failClientClosed {
		return mapError(p.info, nil, dropErr)
	}
	*failures++
	if *failures >= p.store.policy.MaxAttempts {
		return fmt.Errorf("esdb: %s: gave up after %d drops: %w", p.info.op, *failures, mapError(p.info, nil, dropErr))
	}
	p.store.log.Info("esdb: subscription dropped; resubscribing",
		slog.String("op", p.info.op), slog.String("stream", p.stream), slog.String("error", dropErr.Error()))
	if err := sleep(ctx, p.store.policy.Delay(*failures-1, nil)); err != nil {
		return eventstore.ErrSubscriptionClosed
	}
	return nil
}

// drain delivers sub's messages until it drops, and returns the drop error
// and whether anything new was delivered.
func (p *pump) drain(ctx context.Context, sub *client.Subscription) (bool, error) {
	delivered := false
	for {
		ev := sub.Recv()
		var ok bool
		switch {
		case ev.SubscriptionDropped != nil:
			return delivered, ev.SubscriptionDropped.Error
		case ev.EventAppeared != nil:
			var fresh bool
			fresh, ok = p.onEvent(ctx, ev.EventAppeared)
			delivered = delivered || fresh
		case ev.CheckPointReached != nil:
			var fresh bool
			fresh, ok = p.onCheckpoint(ctx, fromClientPosition(*ev.CheckPointReached))
			delivered = delivered || fresh
		case ev.CaughtUp != nil:
			p.historyDone = true
			ok = p.emitCaughtUp(ctx)
		default: // FellBehind: the marker is only sent once.
			ok = true
		}
		if !ok {
			return delivered, ctx.Err()
		}
	}
}

// onEvent delivers an event unless a resubscription replays it.
func (p *pump) onEvent(ctx context.Context, r *client.ResolvedEvent) (fresh, ok bool) {
	e := fromClientEvent(r)
	if p.all {
		if p.lastPos != nil && e.Position.Compare(*p.lastPos) <= 0 {
			return false, true
		}
		p.lastPos = &e.Position
	} else {
		if p.lastRev != nil && e.Revision <= *p.lastRev {
			return false, true
		}
		rev := e.Revision
		p.lastRev = &rev
	}
	if !p.emit(ctx, eventstore.SubscriptionMessage{Event: &e}) {
		return true, false
	}
	if p.all && e.Position.Compare(p.allHead) >= 0 || !p.all && e.Revision >= p.streamHead {
		p.historyDone = true
	}
	return true, !p.historyDone || p.emitCaughtUp(ctx)
}

// onCheckpoint delivers a checkpoint unless it does not move forwards.
func (p *pump) onCheckpoint(ctx context.Context, pos eventstore.Position) (fresh, ok bool) {
	if p.lastCheckpoint != nil && pos.Compare(*p.lastCheckpoint) <= 0 {
		return false, true
	}
	p.lastCheckpoint = &pos
	if !p.emit(ctx, eventstore.SubscriptionMessage{Checkpoint: &pos}) {
		return true, false
	}
	if pos.Compare(p.allHead) >= 0 {
		p.historyDone = true
	}
	return true, !p.historyDone || p.emitCaughtUp(ctx)
}

// emitCaughtUp emits the marker the first time it is called.
func (p *pump) emitCaughtUp(ctx context.Context) bool {
	if p.caughtUp {
		return true
	}
	p.caughtUp = true
	return p.emit(ctx, eventstore.SubscriptionMessage{CaughtUp: true})
}

// emit hands m to the consumer, or gives up when ctx is done.
func (p *pump) emit(ctx context.Context, m eventstore.SubscriptionMessage) bool {
	select {
	case p.out <- m:
		return true
	case <-ctx.Done():
		return false
	}
}
