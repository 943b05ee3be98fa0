package storetest

import (
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testReadStream pins the bounds of a stream read. EventStoreDB
// (IndexReader.ReadStreamEventsForward/Backward): forwards from n returns
// revisions >= n, backwards from n returns revisions <= n descending, a
// start beyond the end returns no events (forwards) or starts at the last
// event (backwards), and MaxCount is a maximum.
func testReadStream(t *testing.T, newStore Factory) {
	s := newStore(t)
	stream := uniqueStream("read")
	evs := seedStream(t, s, stream, 10) // revisions 0..9
	ids := idsOf(evs)
	type fwd = eventstore.ReadStreamOptions
	cases := []struct {
		name string
		opts eventstore.ReadStreamOptions
		want []uint64
	}{
		{"ForwardsFromStartReturnsAll", fwd{From: eventstore.Start{}}, revRange(0, 9)},
		{"ForwardsNilFromMeansStart", fwd{}, revRange(0, 9)},
		{"ForwardsFromRevisionIsInclusive", fwd{From: eventstore.Revision(4)}, revRange(4, 9)},
		{"ForwardsFromLastRevisionReturnsIt", fwd{From: eventstore.Revision(9)}, []uint64{9}},
		{"ForwardsPastTheEndReturnsNothing", fwd{From: eventstore.Revision(10)}, nil},
		{"ForwardsFarPastTheEndReturnsNothing", fwd{From: eventstore.Revision(1000)}, nil},
		{"ForwardsFromEndReturnsNothing", fwd{From: eventstore.End{}}, nil},
		{"ForwardsMaxCountLimits", fwd{From: eventstore.Start{}, MaxCount: 3}, revRange(0, 2)},
		{"ForwardsMaxCountFromRevision", fwd{From: eventstore.Revision(5), MaxCount: 2}, revRange(5, 6)},
		{"ForwardsMaxCountAboveLengthReturnsRest", fwd{From: eventstore.Revision(8), MaxCount: 5}, revRange(8, 9)},
		{"BackwardsFromEndReturnsAllDescending", fwd{Direction: eventstore.Backwards, From: eventstore.End{}}, revRange(9, 0)},
		{"BackwardsNilFromMeansEnd", fwd{Direction: eventstore.Backwards}, revRange(9, 0)},
		{"BackwardsFromRevisionIsInclusive", fwd{Direction: eventstore.Backwards, From: eventstore.Revision(4)}, revRange(4, 0)},
		{"BackwardsFromRevision0ReturnsIt", fwd{Direction: eventstore.Backwards, From: eventstore.Revision(0)}, []uint64{0}},
		{"BackwardsFromPastTheEndStartsAtLast", fwd{Direction: eventstore.Backwards, From: eventstore.Revision(100)}, revRange(9, 0)},
		{"BackwardsFromStartReturnsFirst", fwd{Direction: eventstore.Backwards, From: eventstore.Start{}}, []uint64{0}},
		{"BackwardsMaxCountLimits", fwd{Direction: eventstore.Backwards, From: eventstore.End{}, MaxCount: 3}, revRange(9, 7)},
		{"BackwardsMaxCountFromRevision", fwd{Direction: eventstore.Backwards, From: eventstore.Revision(5), MaxCount: 2}, revRange(5, 4)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			recs := mustReadStream(t, s, stream, tc.opts)
			if got := revisionsOf(recs); !equalRevisions(got, tc.want) {
				t.Fatalf("revisions: got %v, want %v", got, tc.want)
			}
			for _, r := range recs {
				checkRecorded(t, r, evs[r.Revision], stream, r.Revision)
				if r.ID != ids[r.Revision] {
					t.Errorf("revision %d: ID got %v, want %v", r.Revision, r.ID, ids[r.Revision])
				}
			}
		})
	}
	t.Run("MissingStreamIsNotFound", func(t *testing.T) {
		t.Parallel()
		missing := uniqueStream("missing")
		wantReadNotFound(t, s, missing)
		_, err := s.ReadStream(t.Context(), missing, eventstore.ReadStreamOptions{From: eventstore.Revision(3)})
		wantStreamNotFound(t, err, missing)
	})
	t.Run("EmptyStreamNameIsInvalid", func(t *testing.T) {
		t.Parallel()
		_, err := s.ReadStream(t.Context(), "", eventstore.ReadStreamOptions{})
		if err == nil {
			t.Fatal("ReadStream(\"\"): got nil error, want ErrInvalidArgument")
		}
		if !isInvalid(err) {
			t.Errorf("ReadStream(\"\"): got %v, want one matching ErrInvalidArgument", err)
		}
	})
	t.Run("ReadsSeeEveryAcknowledgedAppend", func(t *testing.T) {
		t.Parallel()
		// Read-your-writes: once Append returned, a read returns the events.
		st := uniqueStream("ryw")
		for i := range 5 {
			ev := newEvent("ryw")
			res := mustAppend(t, s, st, eventstore.Any{}, ev)
			recs := mustReadStream(t, s, st, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, MaxCount: 1})
			if len(recs) != 1 || recs[0].ID != ev.ID || recs[0].Revision != uint64(i) || recs[0].Position != res.Position {
				t.Fatalf("after append %d: last event %+v, want ID %v revision %d position %v", i, recs, ev.ID, i, res.Position)
			}
		}
	})
}
