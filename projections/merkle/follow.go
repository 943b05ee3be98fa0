package merkle

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Follower keeps a Tree equal to the $all log: it subscribes from the
// position of the last leaf and appends every event, in $all order, in
// batches (see follow: at the head of $all it wakes once per Linger and
// appends everything committed meanwhile; behind it appends MaxBatch at a
// time).
type Follower struct {
	store     eventstore.Store
	tree      *Tree
	log       *slog.Logger
	maxBatch  int
	syncEvery time.Duration
	linger    time.Duration
	drainWait time.Duration // how long Next may wait before the follower counts itself at the head

	mu      sync.Mutex
	hooks   []func(size int64)
	caught  chan struct{}
	caughtO sync.Once
}

// FollowerConfig configures a Follower.
type FollowerConfig struct {
	MaxBatch int // leaves per tree append; 0 means 4096
	// SyncEvery is the longest time appended leaves wait for an fsync
	// (Tree.Sync); 0 means 1 s. Checkpoints always sync first.
	SyncEvery time.Duration
	// Linger is how long the follower, once at the head of $all, sleeps
	// between drains while the log is busy (or after the first new event
	// when it was idle), so that one wake-up reads and appends many events
	// instead of one commit's worth. It bounds how far the tree lags a live
	// log. Longer is not cheaper: events are then read back after they have
	// left the CPU caches (BenchmarkAppendWithTree: 20 ms cost more than 2
	// or 5 ms). 0 means 2 ms.
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
		cfg.Linger = 2 * time.Millisecond
	}
	if cfg.SyncEvery <= 0 {
		cfg.SyncEvery = time.Second
	}
	return &Follower{store: store, tree: tree, log: cfg.Logger, maxBatch: cfg.MaxBatch, syncEvery: cfg.SyncEvery, linger: cfg.Linger, drainWait: max(cfg.Linger/16, 50*time.Microsecond), caught: make(chan struct{})}
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
	return f.follow(ctx, sub)
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
