package storetest

import (
	"regexp"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

func mustSubscribeAll(t testing.TB, s eventstore.Store, from eventstore.AllFrom, opts eventstore.SubscribeAllOptions) eventstore.Subscription {
	t.Helper()
	sub, err := s.SubscribeToAll(t.Context(), from, opts)
	if err != nil {
		t.Fatalf("SubscribeToAll(%#v, %+v): %v", from, opts, err)
	}
	closeSub(t, sub)
	return sub
}

// testSubscribeToAll pins catch-up subscriptions to $all. Each case has a
// store of its own, so that the expected history is exactly $all.
func testSubscribeToAll(t *testing.T, newStore Factory) {
	cases := []struct {
		name string
		// from picks the start from the history written before subscribing
		// and returns the index in all of the first event to deliver.
		from func(all []eventstore.RecordedEvent) (eventstore.AllFrom, int)
	}{
		{"FromStartDeliversAllHistoryThenCaughtUpThenLive", func(all []eventstore.RecordedEvent) (eventstore.AllFrom, int) { return eventstore.Start{}, 0 }},
		{"FromStartPositionDeliversAllHistory", func(all []eventstore.RecordedEvent) (eventstore.AllFrom, int) { return eventstore.StartPosition, 0 }},
		{"FromPositionIsExclusive", func(all []eventstore.RecordedEvent) (eventstore.AllFrom, int) { return all[3].Position, 4 }},
		{"FromLastPositionDeliversOnlyLive", func(all []eventstore.RecordedEvent) (eventstore.AllFrom, int) {
			return all[len(all)-1].Position, len(all)
		}},
		{"FromEndDeliversOnlyLive", func(all []eventstore.RecordedEvent) (eventstore.AllFrom, int) { return eventstore.End{}, len(all) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			for i := range 4 {
				mustAppend(t, s, uniqueStream("suball"), eventstore.Any{}, newEvents(1+i%2)...)
			}
			all := readWholeAll(t, s)
			from, first := tc.from(all)
			sub := mustSubscribeAll(t, s, from, eventstore.SubscribeAllOptions{})
			compareEvents(t, collectUntilCaughtUp(t, sub), all[first:])
			stream := uniqueStream("suball-live")
			live := newEvents(3)
			mustAppend(t, s, stream, eventstore.NoStream{}, live[0])
			mustAppend(t, s, stream, eventstore.Exact(0), live[1:]...)
			got := collectEvents(t, sub, 3)
			for i, r := range got {
				checkRecorded(t, r, live[i], stream, uint64(i))
			}
			now := readWholeAll(t, s)
			compareEvents(t, got, now[len(all):])
		})
	}
	t.Run("Lifecycle", func(t *testing.T) {
		testSubscriptionLifecycle(t, func(t *testing.T) eventstore.Store { return newStore(t) }, subscribeAllFunc)
	})
	t.Run("FilteredSubscription", func(t *testing.T) {
		t.Parallel()
		testFilteredSubscription(t, newStore(t))
	})
	t.Run("FilteredFromPositionIsExclusive", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		fx := writeFilterFixture(t, s)
		all := readWholeAll(t, s)
		for _, f := range []*eventstore.Filter{
			{On: eventstore.FilterEventType, Prefixes: []string{fx.typeA}},
			{On: eventstore.FilterStreamName, Regex: "^" + regexp.QuoteMeta(fx.streamB)},
		} {
			want := filterEvents(f, all)
			from := want[1].Position // a matching event: not delivered again
			sub := mustSubscribeAll(t, s, from, eventstore.SubscribeAllOptions{Filter: f})
			compareEvents(t, collectUntilCaughtUp(t, sub), want[2:])
		}
	})
	t.Run("ExcludeSystemEventsSubscriptionSkipsMetadataAndTombstones", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		stream := uniqueStream("suball-sys")
		seedStream(t, s, stream, 2)
		setMetadata(t, s, stream, `{"$maxCount":5}`)
		gone := uniqueStream("suball-tomb")
		seedStream(t, s, gone, 1)
		if _, err := s.Tombstone(t.Context(), gone, eventstore.Any{}); err != nil {
			t.Fatalf("Tombstone: %v", err)
		}
		all := readWholeAll(t, s)
		sub := mustSubscribeAll(t, s, eventstore.Start{}, eventstore.SubscribeAllOptions{Filter: eventstore.ExcludeSystemEvents, CheckpointInterval: 1})
		compareEvents(t, collectUntilCaughtUp(t, sub), filterEvents(eventstore.ExcludeSystemEvents, all))
	})
}

// testFilteredSubscription: a filtered subscription delivers exactly the
// matching events, in $all order, interleaved with Checkpoint messages while
// it scans events that do not match (EventStoreDB sends one every
// checkpoint interval even when nothing matches). A checkpoint is never
// before an event already delivered, and no event delivered after it is
// before it.
func testFilteredSubscription(t *testing.T, s eventstore.Store) {
	prefix := namePrefix("wanted")
	filter := &eventstore.Filter{On: eventstore.FilterStreamName, Prefixes: []string{prefix}}
	// The interval is EventStoreDB's checkpoint window (32 events; the
	// server only sends checkpoints every multiplier x 32 events), and each
	// burst of noise is more than twice as long.
	const interval, noiseAppends = 32, 15
	writeBurst := func(noise int) {
		for range noise {
			mustAppend(t, s, uniqueStream("noise"), eventstore.Any{}, newEvents(5)...)
		}
		mustAppend(t, s, prefix+uniqueStream("x"), eventstore.Any{}, newEvent("wanted"))
	}
	writeBurst(noiseAppends)
	writeBurst(1)
	sub := mustSubscribeAll(t, s, eventstore.Start{}, eventstore.SubscribeAllOptions{Filter: filter, CheckpointInterval: interval})
	var events []eventstore.RecordedEvent
	checkpoints := 0
	var last eventstore.Position // the later of the last event and the last checkpoint
	caughtUp := false
	read := func(until func() bool) {
		for !until() {
			msg := nextMessage(t, sub)
			checkOneField(t, msg)
			switch {
			case msg.CaughtUp:
				if len(events) < 2 {
					t.Fatalf("CaughtUp after %d of the 2 matching events of the history", len(events))
				}
				caughtUp = true
			case msg.Event != nil:
				if msg.Event.Position.Compare(last) < 0 {
					t.Errorf("event at %v delivered after checkpoint or event at %v", msg.Event.Position, last)
				}
				events = append(events, *msg.Event)
				last = msg.Event.Position
			case msg.Checkpoint != nil:
				if msg.Checkpoint.Compare(last) < 0 {
					t.Errorf("checkpoint %v is before the last event or checkpoint delivered (%v)", *msg.Checkpoint, last)
				}
				checkpoints++
				last = *msg.Checkpoint
			}
		}
	}
	read(func() bool { return caughtUp })
	if len(events) != 2 {
		t.Fatalf("history: got %d matching events before CaughtUp, want 2", len(events))
	}
	if checkpoints == 0 {
		t.Errorf("history: got no checkpoint while scanning %d unmatched events with interval %d", 5*(noiseAppends+1), interval)
	}
	compareEvents(t, events, filterEvents(filter, readWholeAll(t, s)))

	// Live: a burst of unmatched events yields checkpoints before the next
	// matching event.
	checkpoints = 0
	writeBurst(noiseAppends)
	read(func() bool { return len(events) == 3 })
	if checkpoints == 0 {
		t.Errorf("live: got no checkpoint while scanning %d unmatched events with interval %d", 5*noiseAppends, interval)
	}
	compareEvents(t, events, filterEvents(filter, readWholeAll(t, s)))
}
