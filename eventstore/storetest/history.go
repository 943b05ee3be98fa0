package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testRandomHistories runs random concurrent operations on a few streams
// and checks the recorded history against an independent model of
// EventStoreDB (model.go). Each seed gets a store of its own.
//
// STORETEST_SEED=<n> runs the single seed n; STORETEST_HISTORIES=<k> runs k
// seeds (default 3) starting from a time-based seed. The operations a
// worker chooses depend on its seed and on the outcomes it observed; the
// interleaving of workers is up to the scheduler.
func testRandomHistories(t *testing.T, newStore Factory) {
	seeds, err := historySeeds()
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("Seed%d", seed), func(t *testing.T) {
			t.Parallel()
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("random history failed with seed %d; replay with STORETEST_SEED=%d", seed, seed)
				}
			})
			h := runHistory(t, newStore(t), seed, historyConfig{workers: 4, opsPerWorker: 40, streams: 3})
			checkHistory(t, h)
		})
	}
}

func historySeeds() ([]uint64, error) {
	if v := os.Getenv("STORETEST_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("STORETEST_SEED=%q: %w", v, err)
		}
		return []uint64{seed}, nil
	}
	n := 3
	if v := os.Getenv("STORETEST_HISTORIES"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 {
			return nil, fmt.Errorf("STORETEST_HISTORIES=%q: want a positive integer", v)
		}
		n = k
	}
	base := uint64(time.Now().UnixNano())
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = base + uint64(i)
	}
	return seeds, nil
}

type historyConfig struct {
	workers, opsPerWorker, streams int
}

type opKind int

const (
	opAppend opKind = iota
	opRead
	opDelete
	opTombstone
	opReadAll
)

func (k opKind) String() string {
	return [...]string{"append", "read", "delete", "tombstone", "read-all"}[k]
}

// histOp is one operation of a history, with its outcome and its interval
// on a logical clock shared by all workers (start is taken before the call,
// end after it returns).
type histOp struct {
	worker, seq int
	kind        opKind
	stream      string
	expected    eventstore.ExpectedRevision
	group       int // appends: index of the proposed batch in history.groups
	readOpts    eventstore.ReadStreamOptions
	start, end  int64
	result      eventstore.AppendResult
	deleted     eventstore.DeleteResult
	read        []eventstore.RecordedEvent
	err         error
}

func (o *histOp) String() string {
	s := fmt.Sprintf("w%d#%d %s %s", o.worker, o.seq, o.kind, o.stream)
	if o.kind == opRead {
		s += fmt.Sprintf(" %v from %#v max %d", o.readOpts.Direction, o.readOpts.From, o.readOpts.MaxCount)
	}
	if o.expected != nil {
		s += " expecting " + o.expected.String()
	}
	if o.kind == opAppend {
		s += fmt.Sprintf(" group %d", o.group)
	}
	return s + fmt.Sprintf(" [%d,%d]", o.start, o.end)
}

// group is a proposed batch of events: an original append and its retries
// propose the same events with the same expectation.
type group struct {
	stream   string
	expected eventstore.ExpectedRevision
	events   []eventstore.EventData
}

type history struct {
	seed    uint64
	store   eventstore.Store
	streams []string
	mu      sync.Mutex
	groups  []group
	ops     []*histOp
	// allSub followed $all from the start while the workers ran, up to a
	// sentinel event written after them.
	allSub *raceSub
}

func (h *history) addGroup(g group) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.groups = append(h.groups, g)
	return len(h.groups) - 1
}

func (h *history) group(i int) group {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.groups[i]
}

// runHistory runs the workers and returns what they did.
func runHistory(t *testing.T, s eventstore.Store, seed uint64, cfg historyConfig) *history {
	h := &history{seed: seed, store: s}
	prefix := uniqueStream(fmt.Sprintf("h%d", seed))
	for i := range cfg.streams {
		h.streams = append(h.streams, fmt.Sprintf("%s-s%d", prefix, i))
	}
	sentinel := make(chan uuid.UUID, 1)
	h.allSub = &raceSub{name: "$all subscription during the history", from: eventstore.Start{}}
	h.allSub.sub = mustSubscribeAll(t, s, eventstore.Start{}, eventstore.SubscribeAllOptions{})
	h.allSub.start(t, sentinel)
	var clock atomic.Int64
	perWorker := make([][]*histOp, cfg.workers)
	var wg sync.WaitGroup
	for w := range cfg.workers {
		wg.Go(func() {
			wk := &worker{id: w, h: h, rng: rand.New(rand.NewPCG(seed, uint64(w))), lastSeen: map[string]int64{}, opsPerWorker: cfg.opsPerWorker}
			for i := range cfg.opsPerWorker {
				op := wk.next(i)
				op.start = clock.Add(1)
				wk.execute(t, op)
				op.end = clock.Add(1)
				wk.observe(op)
				perWorker[w] = append(perWorker[w], op)
			}
		})
	}
	wg.Wait()
	for _, ops := range perWorker {
		h.ops = append(h.ops, ops...)
	}
	end := newEvent(sentinelType)
	sentinel <- end.ID
	mustAppend(t, s, prefix+"-sentinel", eventstore.Any{}, end)
	<-h.allSub.done
	return h
}

// worker chooses operations with its own random source.
type worker struct {
	id       int
	h        *history
	rng      *rand.Rand
	lastSeen map[string]int64 // last revision this worker saw per stream; absent: none
	retries  []int            // groups this worker proposed with NoStream or Exact
	// opsPerWorker is the length of the worker's run: tombstones only
	// come in its last quarter.
	opsPerWorker int
}

func (w *worker) next(seq int) *histOp {
	op := &histOp{worker: w.id, seq: seq}
	// The last stream is tombstoned now and then; the others only
	// soft-deleted, so that most of the history has live streams.
	si := w.rng.IntN(len(w.h.streams))
	op.stream = w.h.streams[si]
	switch p := w.rng.IntN(100); {
	case p < 16:
		op.kind, op.readOpts = opRead, w.readOptions(op.stream)
	case p < 20:
		op.kind, op.stream = opReadAll, "$all"
	case p < 26:
		op.kind, op.expected = opDelete, w.expectation(op.stream)
	case p < 28 && si == len(w.h.streams)-1 && seq >= w.opsPerWorker*3/4:
		op.kind, op.expected = opTombstone, w.expectation(op.stream)
	case p < 42 && len(w.retries) > 0:
		op.kind = opAppend
		op.group = w.retries[w.rng.IntN(len(w.retries))]
		g := w.h.group(op.group)
		op.stream, op.expected = g.stream, g.expected
	default:
		op.kind, op.expected = opAppend, w.expectation(op.stream)
		g := group{stream: op.stream, expected: op.expected, events: newEvents(1 + w.rng.IntN(3))}
		op.group = w.h.addGroup(g)
		switch op.expected.(type) {
		case eventstore.NoStream, eventstore.Exact:
			w.retries = append(w.retries, op.group)
		}
	}
	return op
}

// expectation picks an expected revision, exact ones near the last
// revision this worker saw so that some succeed and some do not.
func (w *worker) expectation(stream string) eventstore.ExpectedRevision {
	switch p := w.rng.IntN(100); {
	case p < 20:
		return eventstore.Any{}
	case p < 35:
		return eventstore.NoStream{}
	case p < 45:
		return eventstore.StreamExists{}
	}
	return eventstore.Exact(uint64(max(0, w.lastSeen[stream]+int64(w.rng.IntN(3))-1)))
}

// readOptions picks a stream read: half of them whole forwards reads, the
// others with a random direction, start and count.
func (w *worker) readOptions(stream string) eventstore.ReadStreamOptions {
	var o eventstore.ReadStreamOptions
	if w.rng.IntN(2) == 0 {
		return o
	}
	if w.rng.IntN(2) == 0 {
		o.Direction = eventstore.Backwards
	}
	switch w.rng.IntN(3) {
	case 0:
		o.From = eventstore.Start{}
	case 1:
		o.From = eventstore.End{}
	default:
		o.From = eventstore.Revision(uint64(max(0, w.lastSeen[stream]+int64(w.rng.IntN(5))-2)))
	}
	o.MaxCount = uint64(w.rng.IntN(4))
	return o
}

func (w *worker) execute(t *testing.T, op *histOp) {
	ctx := t.Context()
	s := w.h.store
	switch op.kind {
	case opAppend:
		op.result, op.err = s.Append(ctx, op.stream, op.expected, w.h.group(op.group).events...)
	case opRead:
		op.read, op.err = s.ReadStream(ctx, op.stream, op.readOpts)
	case opReadAll:
		op.read, op.err = s.ReadAll(ctx, eventstore.ReadAllOptions{})
	case opDelete:
		op.deleted, op.err = s.Delete(ctx, op.stream, op.expected)
	case opTombstone:
		op.deleted, op.err = s.Tombstone(ctx, op.stream, op.expected)
	}
}

// observe updates what the worker knows of the stream's revision.
func (w *worker) observe(op *histOp) {
	var wer *eventstore.WrongExpectedRevisionError
	if errors.As(op.err, &wer) && !wer.Actual.NoStream {
		w.lastSeen[op.stream] = int64(wer.Actual.Revision)
	}
	if op.err == nil && op.kind == opAppend {
		w.lastSeen[op.stream] = int64(op.result.NextRevision)
	}
	if op.err == nil && op.kind == opRead {
		for _, r := range op.read {
			w.lastSeen[op.stream] = max(w.lastSeen[op.stream], int64(r.Revision))
		}
	}
}
