package storetest

import (
	"fmt"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testReadAll pins the bounds of a $all read. EventStoreDB: a read is
// inclusive forwards (events at or after P) and exclusive backwards (events
// strictly before P); "end" forwards and "start" backwards return nothing;
// MaxCount is a maximum. Expectations are computed from one full forwards
// read, so backends that write system events of their own still pass.
func testReadAll(t *testing.T, newStore Factory) {
	s := newStore(t)
	streams := []string{uniqueStream("all-a"), uniqueStream("all-b"), uniqueStream("all-c")}
	for i := range 12 {
		mustAppend(t, s, streams[i%3], eventstore.Any{}, newEvents(1+i%3)...)
	}
	all := readWholeAll(t, s)
	checkAllOrder(t, all)
	if got := len(userEvents(all)); got != 24 {
		t.Fatalf("$all holds %d events of user streams, want 24", got)
	}
	n := len(all)
	k := n / 2
	pk := all[k].Position
	type o = eventstore.ReadAllOptions
	cases := []struct {
		name string
		opts eventstore.ReadAllOptions
		want []eventstore.RecordedEvent
	}{
		{"ForwardsFromStartReturnsAll", o{From: eventstore.Start{}}, all},
		{"ForwardsNilFromMeansStart", o{}, all},
		{"ForwardsFromStartPositionReturnsAll", o{From: eventstore.StartPosition}, all},
		{"ForwardsFromPositionIsInclusive", o{From: pk}, all[k:]},
		{"ForwardsFromFirstPositionReturnsAll", o{From: all[0].Position}, all},
		{"ForwardsFromLastPositionReturnsLast", o{From: all[n-1].Position}, all[n-1:]},
		{"ForwardsFromEndReturnsNothing", o{From: eventstore.End{}}, nil},
		{"ForwardsMaxCountLimits", o{From: eventstore.Start{}, MaxCount: 5}, all[:5]},
		{"ForwardsMaxCountFromPosition", o{From: pk, MaxCount: 3}, all[k : k+3]},
		{"BackwardsFromEndReturnsAllDescending", o{Direction: eventstore.Backwards, From: eventstore.End{}}, reversed(all)},
		{"BackwardsNilFromMeansEnd", o{Direction: eventstore.Backwards}, reversed(all)},
		{"BackwardsFromPositionIsExclusive", o{Direction: eventstore.Backwards, From: pk}, reversed(all[:k])},
		{"BackwardsFromFirstPositionReturnsNothing", o{Direction: eventstore.Backwards, From: all[0].Position}, nil},
		{"BackwardsFromLastPositionReturnsAllButLast", o{Direction: eventstore.Backwards, From: all[n-1].Position}, reversed(all[:n-1])},
		{"BackwardsFromStartReturnsNothing", o{Direction: eventstore.Backwards, From: eventstore.Start{}}, nil},
		{"BackwardsMaxCountLimits", o{Direction: eventstore.Backwards, MaxCount: 4}, reversed(all[n-4:])},
		{"BackwardsMaxCountFromPosition", o{Direction: eventstore.Backwards, From: pk, MaxCount: 2}, reversed(all[k-2 : k])},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := mustReadAll(t, s, tc.opts)
			compareEvents(t, got, tc.want)
		})
	}
	t.Run("PagingForwardsWithPositionsVisitsEveryEventOnce", func(t *testing.T) {
		t.Parallel()
		var got []eventstore.RecordedEvent
		var from eventstore.AllFrom = eventstore.Start{}
		for page := 0; page < n+1; page++ {
			recs := mustReadAll(t, s, o{From: from, MaxCount: 5})
			if len(got) > 0 && len(recs) > 0 && recs[0].Position == got[len(got)-1].Position {
				recs = recs[1:] // inclusive bound: the page starts with the last event seen
			}
			if len(recs) == 0 {
				break
			}
			got = append(got, recs...)
			from = recs[len(recs)-1].Position
		}
		compareEvents(t, got, all)
	})
	t.Run("PagingBackwardsWithPositionsVisitsEveryEventOnce", func(t *testing.T) {
		t.Parallel()
		var got []eventstore.RecordedEvent
		var from eventstore.AllFrom = eventstore.End{}
		for page := 0; page < n+1; page++ {
			recs := mustReadAll(t, s, o{Direction: eventstore.Backwards, From: from, MaxCount: 5})
			if len(recs) == 0 {
				break
			}
			got = append(got, recs...)
			from = recs[len(recs)-1].Position // exclusive bound
		}
		compareEvents(t, got, reversed(all))
	})
}

func reversed(recs []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	out := make([]eventstore.RecordedEvent, len(recs))
	for i, r := range recs {
		out[len(recs)-1-i] = r
	}
	return out
}

// compareEvents compares two event lists by stream, revision, position and ID.
func compareEvents(t testing.TB, got, want []eventstore.RecordedEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d events, want %d\ngot:  %s\nwant: %s", len(got), len(want), describe(got), describe(want))
		return
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Stream != w.Stream || g.Revision != w.Revision || g.Position != w.Position {
			t.Errorf("event %d: got %s@%d %v (%v), want %s@%d %v (%v)", i, g.Stream, g.Revision, g.Position, g.ID, w.Stream, w.Revision, w.Position, w.ID)
		}
	}
}

func describe(recs []eventstore.RecordedEvent) string {
	const limit = 20
	s := "["
	for i, r := range recs {
		if i == limit {
			s += fmt.Sprintf(" ... %d more", len(recs)-limit)
			break
		}
		s += fmt.Sprintf(" %s@%d(%v)", r.Stream, r.Revision, r.Position)
	}
	return s + " ]"
}
