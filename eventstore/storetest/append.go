package storetest

import (
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testAppend pins how each expected revision answers on a missing and on an
// existing stream, and what a successful append returns.
//
// EventStoreDB (IndexWriter.CheckCommit): on a stream with no events Any and
// NoStream succeed and everything else is a wrong expected version with
// current "no stream"; on a stream whose last revision is c, Exact(c), Any
// and StreamExists succeed, Exact(n>c) fails, and NoStream or Exact(n<c)
// fail unless the proposed IDs are an idempotent retry (see idempotency.go).
func testAppend(t *testing.T, newStore Factory) {
	s := newStore(t)
	const existingLast = 2 // the existing stream holds revisions 0, 1, 2
	cases := []struct {
		name     string
		existing bool
		expected eventstore.ExpectedRevision
		wantOK   bool
		wantNext uint64
		actual   eventstore.CurrentRevision // when !wantOK
	}{
		{"AnyOnMissingCreatesRevision0", false, eventstore.Any{}, true, 0, eventstore.CurrentRevision{}},
		{"NoStreamOnMissingCreatesRevision0", false, eventstore.NoStream{}, true, 0, eventstore.CurrentRevision{}},
		{"StreamExistsOnMissingIsWrongExpected", false, eventstore.StreamExists{}, false, 0, eventstore.CurrentRevision{NoStream: true}},
		{"Exact0OnMissingIsWrongExpected", false, eventstore.Exact(0), false, 0, eventstore.CurrentRevision{NoStream: true}},
		{"Exact5OnMissingIsWrongExpected", false, eventstore.Exact(5), false, 0, eventstore.CurrentRevision{NoStream: true}},
		{"AnyOnExistingAppendsAtNextRevision", true, eventstore.Any{}, true, existingLast + 1, eventstore.CurrentRevision{}},
		{"StreamExistsOnExistingAppendsAtNextRevision", true, eventstore.StreamExists{}, true, existingLast + 1, eventstore.CurrentRevision{}},
		{"ExactCurrentOnExistingAppendsAtNextRevision", true, eventstore.Exact(existingLast), true, existingLast + 1, eventstore.CurrentRevision{}},
		{"NoStreamOnExistingIsWrongExpected", true, eventstore.NoStream{}, false, 0, eventstore.CurrentRevision{Revision: existingLast}},
		{"ExactBehindOnExistingIsWrongExpected", true, eventstore.Exact(existingLast - 1), false, 0, eventstore.CurrentRevision{Revision: existingLast}},
		{"Exact0OnExistingIsWrongExpected", true, eventstore.Exact(0), false, 0, eventstore.CurrentRevision{Revision: existingLast}},
		{"ExactAheadOnExistingIsWrongExpected", true, eventstore.Exact(existingLast + 1), false, 0, eventstore.CurrentRevision{Revision: existingLast}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := uniqueStream("append")
			var before []eventstore.EventData
			if tc.existing {
				before = seedStream(t, s, stream, existingLast+1)
			}
			evs := newEvents(2)
			res, err := s.Append(t.Context(), stream, tc.expected, evs...)
			want := before
			if tc.wantOK {
				if err != nil {
					t.Fatalf("Append(%v): got error %v, want success", tc.expected, err)
				}
				// NextRevision is the revision of the LAST event written.
				if got, wantNext := res.NextRevision, tc.wantNext+1; got != wantNext {
					t.Errorf("NextRevision: got %d, want %d", got, wantNext)
				}
				want = append(append([]eventstore.EventData(nil), before...), evs...)
			} else {
				wantWrongExpected(t, err, stream, tc.expected, tc.actual)
			}
			if len(want) == 0 {
				wantReadNotFound(t, s, stream)
				return
			}
			got := readWholeStream(t, s, stream)
			if len(got) != len(want) {
				t.Fatalf("stream holds %d events, want %d", len(got), len(want))
			}
			for i := range want {
				checkRecorded(t, got[i], want[i], stream, uint64(i))
			}
			if tc.wantOK && res.Position != got[len(got)-1].Position {
				t.Errorf("AppendResult.Position: got %v, want the last event's position %v", res.Position, got[len(got)-1].Position)
			}
		})
	}
	t.Run("MultiEventAppendGetsConsecutiveRevisionsAndPositions", func(t *testing.T) {
		t.Parallel()
		testMultiEventAppend(t, s)
	})
	t.Run("ZeroEvents", func(t *testing.T) {
		testZeroEventAppends(t, newStore(t))
	})
	t.Run("PositionsStrictlyIncreaseAcrossStreams", func(t *testing.T) {
		t.Parallel()
		testPositionsAcrossStreams(t, newStore(t))
	})
}

func testMultiEventAppend(t *testing.T, s eventstore.Store) {
	stream := uniqueStream("multi")
	first := newEvents(3)
	r1 := mustAppend(t, s, stream, eventstore.NoStream{}, first...)
	if r1.NextRevision != 2 {
		t.Errorf("first append NextRevision: got %d, want 2", r1.NextRevision)
	}
	second := newEvents(4)
	r2 := mustAppend(t, s, stream, eventstore.Exact(2), second...)
	if r2.NextRevision != 6 {
		t.Errorf("second append NextRevision: got %d, want 6", r2.NextRevision)
	}
	if r2.Position.Compare(r1.Position) <= 0 {
		t.Errorf("second append position %v is not after first %v", r2.Position, r1.Position)
	}
	got := readWholeStream(t, s, stream)
	want := append(first, second...)
	if len(got) != len(want) {
		t.Fatalf("stream holds %d events, want %d", len(got), len(want))
	}
	for i := range want {
		checkRecorded(t, got[i], want[i], stream, uint64(i))
		if i > 0 && got[i].Position.Compare(got[i-1].Position) <= 0 {
			t.Errorf("revision %d at %v is not after revision %d at %v", i, got[i].Position, i-1, got[i-1].Position)
		}
	}
	if got[2].Position != r1.Position || got[6].Position != r2.Position {
		t.Errorf("AppendResult positions: got %v and %v, want %v and %v", r1.Position, r2.Position, got[2].Position, got[6].Position)
	}
}

// testZeroEventAppends: appending no events checks the expectation and
// writes nothing (EventStoreDB writes an empty prepare that never shows in
// a read). Runs on its own store so that $all can be compared.
func testZeroEventAppends(t *testing.T, s eventstore.Store) {
	existing := uniqueStream("zero-existing")
	seedStream(t, s, existing, 3)
	missing := uniqueStream("zero-missing")
	cases := []struct {
		name     string
		stream   string
		expected eventstore.ExpectedRevision
		wantOK   bool
		wantNext uint64 // when wantOK on the existing stream
		actual   eventstore.CurrentRevision
	}{
		{"AnyOnMissingSucceedsAndCreatesNothing", missing, eventstore.Any{}, true, 0, eventstore.CurrentRevision{}},
		{"NoStreamOnMissingSucceedsAndCreatesNothing", missing, eventstore.NoStream{}, true, 0, eventstore.CurrentRevision{}},
		{"ExactOnMissingIsWrongExpected", missing, eventstore.Exact(0), false, 0, eventstore.CurrentRevision{NoStream: true}},
		{"ExactCurrentOnExistingSucceedsWithCurrentRevision", existing, eventstore.Exact(2), true, 2, eventstore.CurrentRevision{}},
		{"AnyOnExistingSucceedsWithCurrentRevision", existing, eventstore.Any{}, true, 2, eventstore.CurrentRevision{}},
		{"ExactAheadOnExistingIsWrongExpected", existing, eventstore.Exact(7), false, 0, eventstore.CurrentRevision{Revision: 2}},
		{"NoStreamOnExistingIsWrongExpected", existing, eventstore.NoStream{}, false, 0, eventstore.CurrentRevision{Revision: 2}},
		// CheckCommit: expected < current with no events is a wrong
		// expected version ("no data in transaction").
		{"ExactBehindOnExistingIsWrongExpected", existing, eventstore.Exact(1), false, 0, eventstore.CurrentRevision{Revision: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := readWholeAll(t, s)
			res, err := s.Append(t.Context(), tc.stream, tc.expected)
			switch {
			case !tc.wantOK:
				wantWrongExpected(t, err, tc.stream, tc.expected, tc.actual)
			case err != nil:
				t.Fatalf("Append(%v, no events): got error %v, want success", tc.expected, err)
			case tc.stream == existing && res.NextRevision != tc.wantNext:
				t.Errorf("NextRevision: got %d, want %d", res.NextRevision, tc.wantNext)
			}
			after := readWholeAll(t, s)
			if len(after) != len(before) {
				t.Errorf("$all length: got %d after a zero-event append, want %d", len(after), len(before))
			}
			if tc.stream == missing {
				wantReadNotFound(t, s, missing)
			}
		})
	}
}

func testPositionsAcrossStreams(t *testing.T, s eventstore.Store) {
	streams := []string{uniqueStream("pos-a"), uniqueStream("pos-b"), uniqueStream("pos-c")}
	var last eventstore.Position
	var results []eventstore.AppendResult
	for i := range 9 {
		stream := streams[(i*7)%3]
		res := mustAppend(t, s, stream, eventstore.Any{}, newEvents(1+i%2)...)
		if res.Position.Compare(last) <= 0 {
			t.Errorf("append %d to %s: position %v is not after the previous append's %v", i, stream, res.Position, last)
		}
		last = res.Position
		results = append(results, res)
	}
	if last.Compare(eventstore.StartPosition) <= 0 {
		t.Errorf("last position %v is not after StartPosition", last)
	}
	all := readWholeAll(t, s)
	checkAllOrder(t, all)
	positions := make(map[eventstore.Position]bool)
	for _, r := range all {
		positions[r.Position] = true
	}
	for i, res := range results {
		if !positions[res.Position] {
			t.Errorf("append %d: result position %v is not the position of any event in $all", i, res.Position)
		}
	}
	for _, stream := range streams {
		recs := readWholeStream(t, s, stream)
		if got, want := revisionsOf(recs), revRange(0, uint64(len(recs)-1)); !equalRevisions(got, want) {
			t.Errorf("stream %s revisions: got %v, want gap-free %v", stream, got, want)
		}
	}
}
