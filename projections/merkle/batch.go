package merkle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// renewEvery is how many messages one drain window covers: the window is
// the longest wait for the next message, not for the whole drain, so a long
// catch-up is never mistaken for the head of $all.
const renewEvery = 64

// follow reads the subscription in this goroutine (no hand-off per event).
// Behind the head of $all it drains the subscription, appending MaxBatch
// leaves at a time. At the head it does not wake for every commit: it
// sleeps Linger while the writers commit more, then drains everything
// committed meanwhile and appends it as one batch; only when a drain found
// nothing (the log is idle) does it block in Next until the next event.
// It never pauses before the caught-up marker or after a full batch.
// "At the head" means Next found nothing for drainWait: a Next cut short by
// its context loses no message (the Store contract: a subscription ends
// only on Close or its own error), so the next call picks up where it
// stopped.
func (f *Follower) follow(ctx context.Context, sub eventstore.Subscription) error {
	b := batcher{f: f, entries: make([]Entry, 0, f.maxBatch), lastSync: time.Now()}
	pause := time.NewTimer(time.Hour)
	pause.Stop()
	defer pause.Stop()
	atHead, idle := false, false
	for {
		if idle {
			m, err := sub.Next(ctx)
			if err != nil {
				return b.finish(ctx, err)
			}
			if err := b.add(m); err != nil {
				return err
			}
		}
		if atHead {
			pause.Reset(f.linger)
			select {
			case <-pause.C:
			case <-ctx.Done():
			}
		}
		before := b.appended + int64(len(b.entries))
		err := b.drain(ctx, sub)
		var ne *nextError
		if errors.As(err, &ne) {
			return b.finish(ctx, ne.err)
		}
		if err != nil {
			return err
		}
		if err := b.flush(false); err != nil {
			return err
		}
		// never pause before the subscription has caught up once, nor after
		// a round that filled a whole batch: the follower is behind, and a
		// drain window that expired under load must not slow its catch-up
		atHead = b.caughtUp && b.appended-before < int64(f.maxBatch)
		idle = b.appended == before
	}
}

// nextError is an error of Subscription.Next (as opposed to the tree's).
type nextError struct{ err error }

func (e *nextError) Error() string { return e.err.Error() }

// batcher is the follower's pending batch.
type batcher struct {
	f        *Follower
	entries  []Entry
	buf      []byte // leaf encoding, reused
	lastSync time.Time
	appended int64 // leaves appended so far
	caughtUp bool  // the subscription has delivered its caught-up marker
}

// drain adds every message the subscription has now. It returns nil once
// Next has waited drainWait with nothing new, a *nextError if Next failed,
// or the tree's error.
func (b *batcher) drain(ctx context.Context, sub eventstore.Subscription) error {
	for {
		win, cancel := context.WithTimeout(ctx, b.f.drainWait)
		err := b.read(win, sub)
		cancel()
		var ne *nextError
		if errors.As(err, &ne) && ctx.Err() == nil && win.Err() != nil && errors.Is(ne.err, context.DeadlineExceeded) {
			return nil // at the head of $all
		}
		if err != nil {
			return err
		}
	}
}

// read adds up to renewEvery messages.
func (b *batcher) read(ctx context.Context, sub eventstore.Subscription) error {
	for range renewEvery {
		m, err := sub.Next(ctx)
		if err != nil {
			return &nextError{err}
		}
		if err := b.add(m); err != nil {
			return err
		}
	}
	return nil
}

// add hashes m's event into the batch; a full batch, or the caught-up
// marker, is appended at once.
func (b *batcher) add(m eventstore.SubscriptionMessage) error {
	if m.Event != nil {
		var h Hash
		h, b.buf = HashEvent(b.buf, m.Event)
		b.entries = append(b.entries, Entry{Hash: h, Position: m.Event.Position})
	}
	b.caughtUp = b.caughtUp || m.CaughtUp
	if m.CaughtUp || len(b.entries) >= b.f.maxBatch {
		return b.flush(m.CaughtUp)
	}
	return nil
}

// flush appends the pending batch to the tree, syncs the tree at most every
// SyncEvery (and on catching up), and tells the hooks.
func (b *batcher) flush(caught bool) error {
	f := b.f
	if err := f.tree.Append(b.entries); err != nil {
		return err
	}
	if time.Since(b.lastSync) >= f.syncEvery || caught {
		if err := f.tree.Sync(); err != nil {
			return err
		}
		b.lastSync = time.Now()
	}
	if len(b.entries) > 0 {
		b.appended += int64(len(b.entries))
		f.notify(f.tree.Size())
	}
	b.entries = b.entries[:0]
	if caught {
		f.caughtO.Do(func() { close(f.caught) })
	}
	return nil
}

// finish ends following after Next failed with err: the pending batch is
// appended and the tree synced. A done ctx is a normal end.
func (b *batcher) finish(ctx context.Context, err error) error {
	ferr := b.flush(false)
	serr := b.f.tree.Sync()
	if ctx.Err() != nil {
		return errors.Join(ferr, serr)
	}
	return errors.Join(fmt.Errorf("merkle: subscription: %w", err), ferr, serr)
}
