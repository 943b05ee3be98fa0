package merkle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Follower keeps a Tree equal to the $all log: it subscribes from the
// position of the last leaf and appends every event, in $all order, in
// batches (everything queued, up to MaxBatch).
type Follower struct {
	store     eventstore.Store
	tree      *Tree
	log       *slog.Logger
	maxBatch  int
	syncEvery time.Duration
	linger    time.Duration

	mu      sync.Mutex
	hooks   []func(size int64)
	err     error
	caught  chan struct{}
	caughtO sync.Once
}

// FollowerConfig configures a Follower.
type FollowerConfig struct {
	MaxBatch int // leaves per tree append; 0 means 4096
	// SyncEvery is the longest time appended leaves wait for an fsync
	// (Tree.Sync); 0 means 1 s. Checkpoints always sync first.
	SyncEvery time.Duration
	// Linger is how long a small batch waits for more events before it is
	// appended (fewer, larger appends cost the writers less); 0 means 5 ms.
	Linger time.Duration
	Logger *slog.Logger
}

// NewFollower returns a follower of store into tree. Run starts it.
func NewFollower(store eventstore.Store, tree *Tree, cfg FollowerConfig) *Follower {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 4096
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Linger <= 0 {
		cfg.Linger = 5 * time.Millisecond
	}
	if cfg.SyncEvery <= 0 {
		cfg.SyncEvery = time.Second
	}
	return &Follower{store: store, tree: tree, log: cfg.Logger, maxBatch: cfg.MaxBatch, syncEvery: cfg.SyncEvery, linger: cfg.Linger, caught: make(chan struct{})}
}

// OnAppend registers fn, called with the new tree size after every batch.
func (f *Follower) OnAppend(fn func(size int64)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks = append(f.hooks, fn)
}

// CaughtUp is closed once the tree has reached the head of $all seen at
// subscription time.
func (f *Follower) CaughtUp() <-chan struct{} { return f.caught }

// Run follows $all until ctx ends or an error occurs. It first checks that
// the last leaf is still the hash of the event at its position.
func (f *Follower) Run(ctx context.Context) error {
	from, err := f.resumePoint(ctx)
	if err != nil {
		return err
	}
	sub, err := f.store.SubscribeToAll(ctx, from, eventstore.SubscribeAllOptions{})
	if err != nil {
		return fmt.Errorf("merkle: subscribe: %w", err)
	}
	defer sub.Close()
	msgs := make(chan eventstore.SubscriptionMessage, f.maxBatch)
	errc := make(chan error, 1)
	go func() {
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				errc <- err
				close(msgs)
				return
			}
			msgs <- m
		}
	}()
	return f.loop(ctx, msgs, errc)
}

func (f *Follower) loop(ctx context.Context, msgs <-chan eventstore.SubscriptionMessage, errc <-chan error) error {
	batch := make([]Entry, 0, f.maxBatch)
	var buf []byte
	lastSync := time.Now()
	for {
		m, ok := <-msgs
		if !ok {
			err := <-errc
			serr := f.tree.Sync()
			if ctx.Err() != nil {
				return serr
			}
			return errors.Join(fmt.Errorf("merkle: subscription: %w", err), serr)
		}
		batch = batch[:0]
		caught := false
		deadline := time.Now().Add(f.linger)
	drain:
		for {
			if m.Event != nil {
				var h Hash
				h, buf = HashEvent(buf, m.Event)
				batch = append(batch, Entry{Hash: h, Position: m.Event.Position})
			}
			caught = caught || m.CaughtUp
			if len(batch) >= f.maxBatch {
				break
			}
			select {
			case m, ok = <-msgs:
				if !ok {
					break drain
				}
				continue
			default:
			}
			wait := time.Until(deadline)
			if caught || wait <= 0 {
				break drain
			}
			select {
			case m, ok = <-msgs:
				if !ok {
					break drain
				}
			case <-time.After(wait):
				break drain
			}
		}
		if err := f.tree.Append(batch); err != nil {
			return err
		}
		if time.Since(lastSync) >= f.syncEvery || caught {
			if err := f.tree.Sync(); err != nil {
				return err
			}
			lastSync = time.Now()
		}
		if len(batch) > 0 {
			f.notify(f.tree.Size())
		}
		if caught {
			f.caughtO.Do(func() { close(f.caught) })
		}
	}
}

func (f *Follower) notify(size int64) {
	f.mu.Lock()
	hooks := append([]func(int64){}, f.hooks...)
	f.mu.Unlock()
	for _, fn := range hooks {
		fn(size)
	}
}

// resumePoint validates the last leaf against the store and returns where
// to subscribe from.
func (f *Follower) resumePoint(ctx context.Context) (eventstore.AllFrom, error) {
	n := f.tree.Size()
	if n == 0 {
		return eventstore.Start{}, nil
	}
	pos, err := f.tree.PositionAt(n - 1)
	if err != nil {
		return nil, err
	}
	evs, err := f.store.ReadAll(ctx, eventstore.ReadAllOptions{From: pos, MaxCount: 1})
	if err != nil {
		return nil, fmt.Errorf("merkle: read last leaf's event: %w", err)
	}
	if len(evs) == 0 || evs[0].Position != pos {
		return nil, fmt.Errorf("%w: leaf %d's event at position %s is not in the store", ErrCorrupt, n-1, pos)
	}
	want, err := f.tree.LeafHashAt(n - 1)
	if err != nil {
		return nil, err
	}
	if got := LeafHash(&evs[0]); got != want {
		return nil, fmt.Errorf("%w: leaf %d: the event at position %s hashes to %x, the tree holds %x", ErrCorrupt, n-1, pos, got, want)
	}
	return pos, nil
}
