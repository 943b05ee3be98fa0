package projections

import (
	"context"
	"fmt"
	"sync"

	"github.com/petitionledger/petitionledger/eventstore"
)

// msgQueue hands subscription messages from the reading goroutine to the
// folding goroutine. The reader never holds a message back (so a live
// event is visible as soon as the folder is free), the folder takes
// everything queued at once (so batches grow when it is busy), and the
// queue is bounded: the reader waits while max messages are queued.
type msgQueue struct {
	mu    sync.Mutex
	msgs  []eventstore.SubscriptionMessage // guarded by mu
	spare []eventstore.SubscriptionMessage // guarded by mu
	err   error                            // guarded by mu; set once the reader stops
	max   int
	ready chan struct{} // cap 1: the queue became non-empty, or the reader stopped
	space chan struct{} // cap 1: the folder took a full queue
}

func newMsgQueue(max int) *msgQueue {
	return &msgQueue{max: max, msgs: make([]eventstore.SubscriptionMessage, 0, max),
		ready: make(chan struct{}, 1), space: make(chan struct{}, 1)}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// historyPage is how many events a catch-up read asks for at once.
const historyPage = 4096

// follow feeds the queue from $all after from: first the history, read in
// pages with ReadAll (several times cheaper per event than a subscription),
// then a catch-up subscription from the last event read, which delivers
// whatever was appended meanwhile and then live events, with no gap and no
// duplicate. With storeFilter the store skips the event types the fold
// does not read, and the subscription sends a checkpoint for each.
func (q *msgQueue) follow(ctx context.Context, store eventstore.Store, from eventstore.AllFrom, storeFilter bool) {
	var filter *eventstore.Filter
	opts := eventstore.SubscribeAllOptions{}
	if storeFilter {
		filter = &eventstore.Filter{On: eventstore.FilterEventType, Prefixes: foldedTypePrefixes}
		opts = eventstore.SubscribeAllOptions{Filter: filter, CheckpointInterval: 1}
	}
	from, err := q.readHistory(ctx, store, from, filter)
	if err != nil {
		q.stop(err)
		return
	}
	sub, err := store.SubscribeToAll(ctx, from, opts)
	if err != nil {
		q.stop(fmt.Errorf("projections: subscribe to $all: %w", err))
		return
	}
	defer sub.Close()
	for {
		m, err := sub.Next(ctx)
		if err == nil {
			err = q.push(ctx, m)
		}
		if err != nil {
			q.stop(err)
			return
		}
	}
}

// readHistory queues the events after from, page by page, until a page
// comes back short; it returns the position to subscribe from.
func (q *msgQueue) readHistory(ctx context.Context, store eventstore.Store, from eventstore.AllFrom, filter *eventstore.Filter) (eventstore.AllFrom, error) {
	last, started := eventstore.Position{}, false
	if p, ok := from.(eventstore.Position); ok {
		last, started = p, true
	}
	for {
		opts := eventstore.ReadAllOptions{From: eventstore.Start{}, MaxCount: historyPage, Filter: filter}
		if started {
			opts.From = last // inclusive: the first event returned may be last itself
			opts.MaxCount++
		}
		page, err := store.ReadAll(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("projections: read $all from %v: %w", opts.From, err)
		}
		n := len(page)
		if started && n > 0 && page[0].Position == last {
			page = page[1:]
		}
		msgs := make([]eventstore.SubscriptionMessage, len(page))
		for i := range page {
			msgs[i].Event = &page[i]
		}
		if err := q.pushAll(ctx, msgs); err != nil {
			return nil, err
		}
		if len(page) > 0 {
			last, started = page[len(page)-1].Position, true
		}
		if uint64(n) < opts.MaxCount {
			if !started {
				return eventstore.Start{}, nil
			}
			return last, nil
		}
	}
}

// stop records why the reader stopped and wakes the folder.
func (q *msgQueue) stop(err error) {
	q.mu.Lock()
	q.err = err
	q.mu.Unlock()
	signal(q.ready)
}

// lockWithRoom locks q once it has room for a message, waiting for the
// folder to take some; when ctx ends first it returns ctx's error with q
// unlocked.
func (q *msgQueue) lockWithRoom(ctx context.Context) error {
	q.mu.Lock()
	for len(q.msgs) >= q.max {
		q.mu.Unlock()
		select {
		case <-q.space:
		case <-ctx.Done():
			return ctx.Err()
		}
		q.mu.Lock()
	}
	return nil
}

// pushAll queues msgs in order, waiting for room as push does.
func (q *msgQueue) pushAll(ctx context.Context, msgs []eventstore.SubscriptionMessage) error {
	for len(msgs) > 0 {
		if err := q.lockWithRoom(ctx); err != nil {
			return err
		}
		k := min(len(msgs), q.max-len(q.msgs))
		wasEmpty := len(q.msgs) == 0
		q.msgs = append(q.msgs, msgs[:k]...)
		q.mu.Unlock()
		msgs = msgs[k:]
		if wasEmpty {
			signal(q.ready)
		}
	}
	return nil
}

func (q *msgQueue) push(ctx context.Context, m eventstore.SubscriptionMessage) error {
	if err := q.lockWithRoom(ctx); err != nil {
		return err
	}
	wasEmpty := len(q.msgs) == 0
	q.msgs = append(q.msgs, m)
	q.mu.Unlock()
	if wasEmpty {
		signal(q.ready)
	}
	return nil
}

// take returns every queued message, waiting for at least one. Once the
// queue is drained after the reader stopped, it returns the reader's error.
func (q *msgQueue) take(ctx context.Context) ([]eventstore.SubscriptionMessage, error) {
	for {
		q.mu.Lock()
		b, err := q.msgs, q.err
		if len(b) > 0 {
			q.msgs = q.spare[:0]
			q.spare = nil
			if q.msgs == nil {
				q.msgs = make([]eventstore.SubscriptionMessage, 0, q.max)
			}
		}
		q.mu.Unlock()
		if len(b) > 0 {
			if len(b) >= q.max {
				signal(q.space)
			}
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		select {
		case <-q.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// recycle gives a taken batch back for reuse.
func (q *msgQueue) recycle(b []eventstore.SubscriptionMessage) {
	q.mu.Lock()
	q.spare = b
	q.mu.Unlock()
}
