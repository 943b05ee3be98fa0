package projections

import (
	"context"
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

// fill reads sub until it fails or ctx ends.
func (q *msgQueue) fill(ctx context.Context, sub eventstore.Subscription) {
	for {
		m, err := sub.Next(ctx)
		if err == nil {
			err = q.push(ctx, m)
		}
		if err != nil {
			q.mu.Lock()
			q.err = err
			q.mu.Unlock()
			signal(q.ready)
			return
		}
	}
}

func (q *msgQueue) push(ctx context.Context, m eventstore.SubscriptionMessage) error {
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
