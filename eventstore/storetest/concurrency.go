package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testConcurrency pins the behaviour of racing writers.
func testConcurrency(t *testing.T, newStore Factory) {
	s := newStore(t)
	cases := []struct {
		name string
		run  func(t *testing.T, s eventstore.Store)
	}{
		{"RacingExactAppendsWinOncePerRevision", racingExactAppends},
		{"ConcurrentBatchesStayContiguous", concurrentBatchesContiguous},
		{"ReadsDuringAppendsSeeWholeBatchesOnly", readsSeeWholeBatches},
		{"ConcurrentAppendsToManyStreamsAllLand", concurrentManyStreams},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, s)
		})
	}
}

// expectationFrom turns a failed expectation's actual state into the
// expectation a retry should use.
func expectationFrom(c eventstore.CurrentRevision) eventstore.ExpectedRevision {
	if c.NoStream {
		return eventstore.NoStream{}
	}
	return eventstore.Exact(c.Revision)
}

// racingExactAppends: writers race optimistic appends (NoStream, then
// Exact) on one stream, each refreshing its expectation from the
// WrongExpectedRevisionError it gets. Exactly one writer wins each
// revision and the stream holds exactly the winners, gap-free.
func racingExactAppends(t *testing.T, s eventstore.Store) {
	const writers, target = 6, 45
	stream := uniqueStream("race")
	var mu sync.Mutex
	winners := make(map[uint64]uuid.UUID)
	var done atomic.Bool
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			var exp eventstore.ExpectedRevision = eventstore.NoStream{}
			for !done.Load() && !t.Failed() {
				ev := newEvent("race")
				res, err := s.Append(t.Context(), stream, exp, ev)
				var wer *eventstore.WrongExpectedRevisionError
				switch {
				case err == nil:
					mu.Lock()
					if prev, dup := winners[res.NextRevision]; dup {
						t.Errorf("revision %d won twice: by %v and by writer %d's %v", res.NextRevision, prev, w, ev.ID)
					}
					winners[res.NextRevision] = ev.ID
					mu.Unlock()
					if res.NextRevision+1 >= target {
						done.Store(true)
					}
					exp = eventstore.Exact(res.NextRevision)
				case errors.As(err, &wer):
					if wer.Expected != exp {
						t.Errorf("writer %d: error carries expectation %v, want %v", w, wer.Expected, exp)
					}
					if !wer.Actual.NoStream && wer.Actual.Revision+1 >= target {
						done.Store(true)
					}
					exp = expectationFrom(wer.Actual)
				default:
					t.Errorf("writer %d: Append(%v): %v", w, exp, err)
					return
				}
			}
		})
	}
	wg.Wait()
	got := readWholeStream(t, s, stream)
	if len(got) != len(winners) {
		t.Fatalf("stream holds %d events, but %d appends were acknowledged", len(got), len(winners))
	}
	for i, r := range got {
		if r.Revision != uint64(i) {
			t.Fatalf("event %d has revision %d: the stream has a gap", i, r.Revision)
		}
		if winners[r.Revision] != r.ID {
			t.Errorf("revision %d: stream holds %v, the acknowledged winner was %v", r.Revision, r.ID, winners[r.Revision])
		}
	}
	if len(got) < target {
		t.Errorf("stream holds %d events, want at least %d", len(got), target)
	}
}

// concurrentBatchesContiguous: batches appended concurrently with Any are
// atomic: each batch's events are consecutive in the stream and in $all.
func concurrentBatchesContiguous(t *testing.T, s eventstore.Store) {
	const writers, batches, size = 4, 8, 5
	stream := uniqueStream("batches")
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range batches {
				evs := newEvents(size)
				res, err := s.Append(t.Context(), stream, eventstore.Any{}, evs...)
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				if res.NextRevision%size != size-1 {
					t.Errorf("batch ends at revision %d: batches of %d interleaved", res.NextRevision, size)
				}
			}
		})
	}
	wg.Wait()
	checkBatches(t, readWholeStream(t, s, stream), size)
	checkBatches(t, streamEvents(readWholeAll(t, s), stream), size)
	// In $all no other stream's event lies inside a batch.
	all := readWholeAll(t, s)
	for i, r := range all {
		if r.Stream == stream && r.Revision%size != 0 {
			if i == 0 || all[i-1].Stream != stream || all[i-1].Revision != r.Revision-1 {
				t.Fatalf("$all[%d] %s@%d does not directly follow its batch's previous event", i, r.Stream, r.Revision)
			}
		}
	}
}

// checkBatches checks recs are the gap-free revisions 0..n-1 with n a
// multiple of the batch size.
func checkBatches(t *testing.T, recs []eventstore.RecordedEvent, size int) {
	t.Helper()
	if len(recs)%size != 0 {
		t.Fatalf("got %d events, want a multiple of the batch size %d", len(recs), size)
	}
	for i, r := range recs {
		if r.Revision != uint64(i) {
			t.Fatalf("event %d has revision %d, want %d", i, r.Revision, i)
		}
	}
}

// readsSeeWholeBatches: a reader racing a writer of 3-event batches only
// ever sees whole batches: an append is visible all at once.
func readsSeeWholeBatches(t *testing.T, s eventstore.Store) {
	const batches, size = 25, 3
	stream := uniqueStream("visible")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			recs, err := s.ReadStream(t.Context(), stream, eventstore.ReadStreamOptions{})
			if errors.Is(err, eventstore.ErrStreamNotFound) {
				continue
			}
			if err != nil {
				t.Errorf("ReadStream: %v", err)
				return
			}
			if len(recs)%size != 0 {
				t.Errorf("read saw %d events: a part of a batch was visible", len(recs))
				return
			}
			all, err := s.ReadAll(t.Context(), eventstore.ReadAllOptions{Direction: eventstore.Backwards, MaxCount: 50})
			if err != nil {
				t.Errorf("ReadAll: %v", err)
				return
			}
			if n := len(streamEvents(all, stream)); n > 0 && all[0].Stream == stream && all[0].Revision%size != size-1 {
				t.Errorf("$all ends inside a batch: last event is revision %d", all[0].Revision)
				return
			}
		}
	})
	var exp eventstore.ExpectedRevision = eventstore.NoStream{}
	for range batches {
		res := mustAppend(t, s, stream, exp, newEvents(size)...)
		exp = eventstore.Exact(res.NextRevision)
	}
	close(stop)
	wg.Wait()
}

// concurrentManyStreams: writers on distinct streams all land, with
// distinct positions and gap-free revisions.
func concurrentManyStreams(t *testing.T, s eventstore.Store) {
	const writers, appends = 8, 15
	streams := make([]string, writers)
	results := make([][]eventstore.AppendResult, writers)
	var wg sync.WaitGroup
	for w := range writers {
		streams[w] = uniqueStream("many")
		wg.Go(func() {
			var exp eventstore.ExpectedRevision = eventstore.NoStream{}
			for range appends {
				res, err := s.Append(t.Context(), streams[w], exp, newEvents(2)...)
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				results[w] = append(results[w], res)
				exp = eventstore.Exact(res.NextRevision)
			}
		})
	}
	wg.Wait()
	seen := make(map[eventstore.Position]bool)
	for w := range writers {
		for i, res := range results[w] {
			if seen[res.Position] {
				t.Errorf("position %v acknowledged twice", res.Position)
			}
			seen[res.Position] = true
			if res.NextRevision != uint64(2*i+1) {
				t.Errorf("writer %d append %d: NextRevision %d, want %d", w, i, res.NextRevision, 2*i+1)
			}
		}
		if got := readWholeStream(t, s, streams[w]); len(got) != 2*appends {
			t.Errorf("stream %d holds %d events, want %d", w, len(got), 2*appends)
		}
	}
}
