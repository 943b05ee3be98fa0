package storetest

import (
	"sync"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testIdempotency pins EventStoreDB's idempotent appends
// (IndexWriter.CheckCommit, branch "expectedVersion < curVersion"): with
// NoStream (-1) or Exact(n) behind the stream's current revision, the
// proposed IDs are compared one for one with the events at n+1, n+2, ...
// (read from the index, so events hidden by $tb still count). All equal:
// success with the result of the last proposed event (revision
// n+len(events) and its position) and nothing written. The first differs:
// wrong expected revision. A later one differs or runs past the end of the
// stream ("corrupted idempotency"): wrong expected revision.
//
// With Any or StreamExists the server only consults a best-effort cache of
// recent IDs; the suite pins nothing there, and callers that must not write
// twice (signatures) use NoStream or Exact.
func testIdempotency(t *testing.T, newStore Factory) {
	s := newStore(t)
	cases := []struct {
		name string
		run  func(t *testing.T, s eventstore.Store)
	}{
		{"RetryWithNoStreamReturnsOriginalResultAndWritesNothing", idemRetryNoStream},
		{"RetryWithExactReturnsOriginalResultAndWritesNothing", idemRetryExact},
		{"RetryAfterOtherWritersReturnsOriginalResult", idemRetryAfterOthers},
		{"RetryOfPrefixReturnsResultOfItsLastEvent", idemRetryPrefix},
		{"PartialMatchIsWrongExpected", idemPartialMatch},
		{"FirstIDDiffersIsWrongExpected", idemFirstDiffers},
		{"RetryLongerThanWrittenIsWrongExpected", idemRetryLonger},
		{"RetryAfterSoftDeleteReturnsOriginalAndKeepsStreamDeleted", idemRetryAfterDelete},
		{"RetryOnTombstonedStreamIsStreamDeleted", idemRetryTombstoned},
		{"SameIDsOnAnotherStreamAreWritten", idemOtherStream},
		{"ConcurrentRetriesOfOneSignatureWriteItOnce", idemConcurrentRetries},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, s)
		})
	}
}

// wantStreamIDs checks the whole stream holds exactly evs, in order.
func wantStreamIDs(t *testing.T, s eventstore.Store, stream string, evs []eventstore.EventData) {
	t.Helper()
	got := readWholeStream(t, s, stream)
	if !equalIDs(recordedIDs(got), idsOf(evs)) {
		t.Fatalf("stream %s: got IDs %v, want %v", stream, recordedIDs(got), idsOf(evs))
	}
	if want := revRange(0, uint64(len(evs)-1)); !equalRevisions(revisionsOf(got), want) {
		t.Errorf("stream %s: got revisions %v, want %v", stream, revisionsOf(got), want)
	}
}

func idemRetryNoStream(t *testing.T, s eventstore.Store) {
	stream := uniqueStream("idem")
	evs := newEvents(2)
	first := mustAppend(t, s, stream, eventstore.NoStream{}, evs...)
	again := mustAppend(t, s, stream, eventstore.NoStream{}, evs...)
	if again != first {
		t.Errorf("retry result: got %+v, want the original %+v", again, first)
	}
	wantStreamIDs(t, s, stream, evs)
}

func idemRetryExact(t *testing.T, s eventstore.Store) {
	stream := uniqueStream("idem")
	seed := seedStream(t, s, stream, 3)
	evs := newEvents(2)
	first := mustAppend(t, s, stream, eventstore.Exact(2), evs...)
	for range 2 {
		again := mustAppend(t, s, stream, eventstore.Exact(2), evs...)
		if again != first {
			t.Errorf("retry result: got %+v, want the original %+v", again, first)
		}
	}
	wantStreamIDs(t, s, stream, append(seed, evs...))
}

// idemRetryAfterOthers is the double-count scenario: a signer's append is
// written but its acknowledgement is lost; other signers append; the
// client retries with the same event ID and expectation. It must get the
// original result, and the signature must be in the stream once.
func idemRetryAfterOthers(t *testing.T, s eventstore.Store) {
	stream := uniqueStream("petition-signatures")
	seed := seedStream(t, s, stream, 2)
	sig := newEvent("SignatureAdded")
	first := mustAppend(t, s, stream, eventstore.Exact(1), sig) // ack "lost"
	others := newEvents(3)
	for _, o := range others {
		mustAppend(t, s, stream, eventstore.Any{}, o)
	}
	again, err := s.Append(t.Context(), stream, eventstore.Exact(1), sig)
	if err != nil {
		t.Fatalf("retry: got error %v, want the original result %+v", err, first)
	}
	if again != first {
		t.Errorf("retry result: got %+v, want the original %+v", again, first)
	}
	wantStreamIDs(t, s, stream, append(append(seed, sig), others...))
	n := 0
	for _, r := range readWholeAll(t, s) {
		if r.ID == sig.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("$all holds the signature %d times, want 1", n)
	}
}

func idemRetryPrefix(t *testing.T, s eventstore.Store) {
	stream := uniqueStream("idem")
	evs := newEvents(3)
	mustAppend(t, s, stream, eventstore.NoStream{}, evs...)
	recs := readWholeStream(t, s, stream)
	got := mustAppend(t, s, stream, eventstore.NoStream{}, evs[:2]...)
	want := eventstore.AppendResult{NextRevision: 1, Position: recs[1].Position}
	if got != want {
		t.Errorf("retry of the first two events: got %+v, want %+v", got, want)
	}
	// Exact(0) followed by the second and third event also matches.
	got = mustAppend(t, s, stream, eventstore.Exact(0), evs[1:]...)
	want = eventstore.AppendResult{NextRevision: 2, Position: recs[2].Position}
	if got != want {
		t.Errorf("retry of the last two events after Exact(0): got %+v, want %+v", got, want)
	}
	wantStreamIDs(t, s, stream, evs)
}

// idemNotRetry is a case where two events are written with NoStream and
// every NoStream append of retries(evs) is not a retry of them: each must
// fail as a wrong expected revision and leave the stream as it was.
func idemNotRetry(retries func(evs []eventstore.EventData) [][]eventstore.EventData) func(*testing.T, eventstore.Store) {
	return func(t *testing.T, s eventstore.Store) {
		stream := uniqueStream("idem")
		evs := newEvents(2)
		mustAppend(t, s, stream, eventstore.NoStream{}, evs...)
		for _, retry := range retries(evs) {
			_, err := s.Append(t.Context(), stream, eventstore.NoStream{}, retry...)
			wantWrongExpected(t, err, stream, eventstore.NoStream{}, eventstore.CurrentRevision{Revision: 1})
		}
		wantStreamIDs(t, s, stream, evs)
	}
}

var (
	idemPartialMatch = idemNotRetry(func(evs []eventstore.EventData) [][]eventstore.EventData {
		return [][]eventstore.EventData{{evs[0], newEvent("other")}}
	})
	idemFirstDiffers = idemNotRetry(func(evs []eventstore.EventData) [][]eventstore.EventData {
		// The same IDs in another order are not a retry either.
		return [][]eventstore.EventData{{newEvent("other"), evs[1]}, {evs[1], evs[0]}}
	})
	idemRetryLonger = idemNotRetry(func(evs []eventstore.EventData) [][]eventstore.EventData {
		return [][]eventstore.EventData{append(append([]eventstore.EventData(nil), evs...), newEvent("extra"))}
	})
)

func idemRetryAfterDelete(t *testing.T, s eventstore.Store) {
	stream := uniqueStream("idem")
	evs := newEvents(2)
	first := mustAppend(t, s, stream, eventstore.NoStream{}, evs...)
	if _, err := s.Delete(t.Context(), stream, eventstore.Any{}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	again, err := s.Append(t.Context(), stream, eventstore.NoStream{}, evs...)
	if err != nil {
		t.Fatalf("retry after soft delete: got error %v, want the original result %+v", err, first)
	}
	if again != first {
		t.Errorf("retry result: got %+v, want the original %+v", again, first)
	}
	wantReadNotFound(t, s, stream)
}

func idemRetryTombstoned(t *testing.T, s eventstore.Store) {
	stream := uniqueStream("idem")
	evs := newEvents(2)
	mustAppend(t, s, stream, eventstore.NoStream{}, evs...)
	if _, err := s.Tombstone(t.Context(), stream, eventstore.Any{}); err != nil {
		t.Fatalf("Tombstone: %v", err)
	}
	_, err := s.Append(t.Context(), stream, eventstore.NoStream{}, evs...)
	wantStreamDeleted(t, err, stream)
}

// idemOtherStream: EventStoreDB does not require event IDs to be unique
// across streams; the same IDs on another stream are new events.
func idemOtherStream(t *testing.T, s eventstore.Store) {
	a, b := uniqueStream("idem-a"), uniqueStream("idem-b")
	evs := newEvents(2)
	mustAppend(t, s, a, eventstore.NoStream{}, evs...)
	res := mustAppend(t, s, b, eventstore.NoStream{}, evs...)
	if res.NextRevision != 1 {
		t.Errorf("NextRevision on the second stream: got %d, want 1", res.NextRevision)
	}
	wantStreamIDs(t, s, a, evs)
	wantStreamIDs(t, s, b, evs)
}

// idemConcurrentRetries: a client whose connection flaps sends the same
// signature append several times at once. Exactly one copy is written and
// every attempt gets the same result.
func idemConcurrentRetries(t *testing.T, s eventstore.Store) {
	stream := uniqueStream("petition-signatures")
	seed := seedStream(t, s, stream, 1)
	sig := newEvent("SignatureAdded")
	const attempts = 8
	results := make([]eventstore.AppendResult, attempts)
	errs := make([]error, attempts)
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Go(func() {
			results[i], errs[i] = s.Append(t.Context(), stream, eventstore.Exact(0), sig)
		})
	}
	wg.Wait()
	for i := range attempts {
		if errs[i] != nil {
			t.Fatalf("attempt %d: got error %v, want success", i, errs[i])
		}
		if results[i] != results[0] {
			t.Errorf("attempt %d: got %+v, want the same result as attempt 0 %+v", i, results[i], results[0])
		}
	}
	if results[0].NextRevision != 1 {
		t.Errorf("NextRevision: got %d, want 1", results[0].NextRevision)
	}
	wantStreamIDs(t, s, stream, append(seed, sig))
}
