package projections

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Config configures a Runner.
type Config struct {
	// Store is the event store to follow.
	Store eventstore.Store
	// Dir holds the checkpoint and the audit trails. Required.
	Dir string
	// Places is the constituency and country table. Required.
	Places *Places
	// Rules are the thresholds and validation grace; zero means DefaultRules.
	Rules Rules
	// BatchSize caps the events folded between two publications; 0 means 4096.
	BatchSize int
	// CheckpointEvery is the number of events between checkpoints; 0 means
	// 1,000,000. A checkpoint is also written when Run returns.
	CheckpointEvery uint64
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// StoreFilter asks the store for only the event types the fold reads
	// (not SignatureSigned, the bulk of the log, nor invalidation records),
	// with a checkpoint after every event it skips, so the view's position
	// still advances past each of them at once. It saves the store copying
	// the skipped events (about a third of a rebuild's work on the
	// embedded store). Leave it off for a backend whose filtered
	// subscriptions send checkpoints only every few events (EventStoreDB
	// sends one per 32 × interval): WaitFor on a skipped event would wait.
	StoreFilter bool
}

// foldedTypePrefixes are the event type prefixes the Ledger reads.
var foldedTypePrefixes = []string{"Petition", "GovernmentResponded", "Debate", "OtherBusiness",
	"SignatureValidated", "SignatureInvalidated", "SignatureMarkedFraudulent"}

func (c *Config) setDefaults() {
	if c.Rules == (Rules{}) {
		c.Rules = DefaultRules
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 4096
	}
	if c.CheckpointEvery == 0 {
		c.CheckpointEvery = 1_000_000
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Change tells an OnChange hook which petitions a publication changed.
type Change struct {
	View      *View
	Petitions []int64 // ids, in the order they were first changed in the batch
}

// Runner feeds the Ledger from a catch-up subscription to $all and publishes
// a new View after every batch. Run does the work; View, WaitFor and
// OnChange may be called from any goroutine.
type Runner struct {
	cfg     Config
	ledger  *Ledger
	view    atomic.Pointer[View]
	lastCkp uint64 // events applied at the last checkpoint

	mu       sync.Mutex
	waiters  waitHeap             // guarded by mu: parked WaitFor calls
	hooks    map[int]func(Change) // guarded by mu
	hookList []func(Change)       // guarded by mu: hooks in registration order, rebuilt on change
	nextHook int
	stopped  bool
	runErr   error
	stopCh   chan struct{} // closed when Run returns
}

// NewRunner loads the checkpoint in cfg.Dir, if a valid one exists, and
// returns a runner positioned after it; otherwise (none, corrupt, or from
// another version) it starts from zero, logging why.
func NewRunner(cfg Config) (*Runner, error) {
	cfg.setDefaults()
	if cfg.Store == nil || cfg.Dir == "" || cfg.Places == nil {
		return nil, fmt.Errorf("%w: Store, Dir and Places are required", ErrInvalidArgument)
	}
	r := &Runner{cfg: cfg, hooks: map[int]func(Change){}, stopCh: make(chan struct{})}
	l, err := loadOrRebuild(cfg)
	if err != nil {
		return nil, err
	}
	r.ledger = l
	r.lastCkp = l.applied
	r.view.Store(publish(&View{index: map[int64]int32{}, src: cfg.Store}, l))
	return r, nil
}

func (c Config) checkpointPath() string { return filepath.Join(c.Dir, "projections.ckpt") }
func (c Config) auditDir() string       { return filepath.Join(c.Dir, "audit") }

// View returns the latest published view. It never blocks.
func (r *Runner) View() *View { return r.view.Load() }

// WaitFor blocks until the published view reflects pos (or later) and
// returns it, so a writer can wait until its append is visible.
func (r *Runner) WaitFor(ctx context.Context, pos eventstore.Position) (*View, error) {
	if v := r.View(); v.pos.Compare(pos) >= 0 {
		return v, nil
	}
	r.mu.Lock()
	// Checked again under mu: a publication stores the view before it
	// takes mu to wake waiters, so a waiter parked now cannot be missed.
	if v := r.View(); v.pos.Compare(pos) >= 0 {
		r.mu.Unlock()
		return v, nil
	}
	if r.stopped {
		err := r.runErr
		r.mu.Unlock()
		return nil, fmt.Errorf("%w: %v", ErrRunnerStopped, err)
	}
	w := &waiter{pos: pos, ready: make(chan struct{})}
	heap.Push(&r.waiters, w)
	r.mu.Unlock()
	select {
	case <-w.ready:
	case <-ctx.Done():
		r.mu.Lock()
		r.forgetLocked(w)
		r.mu.Unlock()
		return nil, fmt.Errorf("%w: waiting for %s: %w", ErrPositionNotReached, pos, ctx.Err())
	}
	if v := r.View(); v.pos.Compare(pos) >= 0 {
		return v, nil
	}
	r.mu.Lock()
	err := r.runErr
	r.mu.Unlock()
	return nil, fmt.Errorf("%w: %v", ErrRunnerStopped, err)
}

// OnChange registers fn to be called, on the runner's goroutine, after each
// publication that changed some petition (e.g. to push "count changed" to
// SSE clients). fn must return quickly and must not call WaitFor. The
// returned function unregisters it.
func (r *Runner) OnChange(fn func(Change)) (remove func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.nextHook
	r.nextHook++
	r.hooks[id] = fn
	r.rebuildHookListLocked()
	return func() {
		r.mu.Lock()
		delete(r.hooks, id)
		r.rebuildHookListLocked()
		r.mu.Unlock()
	}
}

// rebuildHookListLocked refreshes hookList (a new slice: publications may
// be iterating the old one). r.mu must be held.
func (r *Runner) rebuildHookListLocked() {
	ids := make([]int, 0, len(r.hooks))
	for id := range r.hooks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	list := make([]func(Change), len(ids))
	for i, id := range ids {
		list[i] = r.hooks[id]
	}
	r.hookList = list
}

// Run follows $all from the loaded position until ctx is done or the
// subscription fails, publishing a view after each batch. When it returns
// it writes a final checkpoint. Call it once.
func (r *Runner) Run(ctx context.Context) (err error) {
	defer func() { r.finish(err) }()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var from eventstore.AllFrom = eventstore.Start{}
	if r.ledger.pos != eventstore.StartPosition {
		from = r.ledger.pos
	}
	q := newMsgQueue(r.cfg.BatchSize)
	go q.follow(ctx, r.cfg.Store, from, r.cfg.StoreFilter)
	return r.loop(ctx, q)
}

func (r *Runner) loop(ctx context.Context, q *msgQueue) error {
	for {
		batch, err := q.take(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("projections: subscription: %w", err)
		}
		for i := range batch {
			if ev := batch[i].Event; ev != nil {
				r.ledger.Apply(ev)
			} else if cp := batch[i].Checkpoint; cp != nil {
				r.ledger.advance(*cp)
			}
			batch[i] = eventstore.SubscriptionMessage{}
		}
		q.recycle(batch)
		if err := r.publishBatch(); err != nil {
			return err
		}
		if r.ledger.applied-r.lastCkp >= r.cfg.CheckpointEvery {
			if err := r.checkpoint(); err != nil {
				return err
			}
		}
	}
}

// publishBatch flushes the batch's audit entries, then publishes the view.
func (r *Runner) publishBatch() error {
	if err := r.ledger.audit.flush(); err != nil {
		return err
	}
	prev := r.View()
	if r.ledger.pos == prev.pos {
		return nil
	}
	ids := r.ledger.touchedIDs()
	v := publish(prev, r.ledger)
	r.view.Store(v)
	r.mu.Lock()
	r.wakeLocked(v.pos)
	hooks := r.hookList
	r.mu.Unlock()
	if len(ids) > 0 {
		for _, h := range hooks {
			h(Change{View: v, Petitions: ids})
		}
	}
	return nil
}

// checkpoint writes the ledger's state to disk atomically. It is called by
// the runner's goroutine (Run) only.
func (r *Runner) checkpoint() error {
	if err := writeLedgerCheckpoint(r.cfg.checkpointPath(), r.ledger); err != nil {
		return err
	}
	r.lastCkp = r.ledger.applied
	r.cfg.Logger.Info("projections: checkpoint written", slog.String("position", r.ledger.pos.String()),
		slog.Uint64("events", r.ledger.applied))
	return nil
}

func (r *Runner) finish(err error) {
	if cerr := r.checkpoint(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if cerr := r.ledger.audit.closeFiles(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	r.mu.Lock()
	r.stopped = true
	r.runErr = err
	close(r.stopCh)
	r.wakeAllLocked()
	r.mu.Unlock()
}

// stoppedCh is closed when Run returns.
func (r *Runner) stoppedCh() <-chan struct{} { return r.stopCh }

// Places returns the place table the runner counts with.
func (r *Runner) Places() *Places { return r.cfg.Places }
