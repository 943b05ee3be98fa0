package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testSubscriptionRaces pins the hard part of catch-up subscriptions: the
// switch from reading history to live delivery while writers keep
// appending must lose nothing and repeat nothing; and a subscriber that
// does not read must not hold writers up.
func testSubscriptionRaces(t *testing.T, newStore Factory) {
	t.Run("AllSubscriptionsStartedDuringWritesHaveNoGapAndNoDuplicate", func(t *testing.T) {
		t.Parallel()
		raceAllSubscriptions(t, newStore(t))
	})
	t.Run("StreamSubscriptionsStartedDuringWritesHaveNoGapAndNoDuplicate", func(t *testing.T) {
		t.Parallel()
		raceStreamSubscriptions(t, newStore(t))
	})
	t.Run("SlowSubscriberDoesNotBlockWritersAndStillGetsEverything", func(t *testing.T) {
		t.Parallel()
		slowSubscriber(t, newStore(t))
	})
}

// ackTracker remembers the latest acknowledged position.
type ackTracker struct {
	mu   sync.Mutex
	last eventstore.Position
	n    int
}

func (a *ackTracker) ack(p eventstore.Position) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	if p.Compare(a.last) > 0 {
		a.last = p
	}
}

func (a *ackTracker) snapshot() (eventstore.Position, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last, a.n
}

// raceSub is a subscription started while writers run, with what it
// delivered.
type raceSub struct {
	name         string
	from         any // eventstore.AllFrom or eventstore.StreamFrom
	ackedBefore  eventstore.Position
	sub          eventstore.Subscription
	done         chan struct{} // closed when consume returns
	events       []eventstore.RecordedEvent
	caughtUpAt   int // number of events delivered before the first CaughtUp; -1: none
	err          error
	sentinelSeen bool
}

// consume reads until the sentinel event and a CaughtUp marker arrived.
// (A store that reads history lazily may only catch up after the
// sentinel: it is the last event ever written in the case.)
func (r *raceSub) consume(t testing.TB, sentinel <-chan uuid.UUID) {
	r.caughtUpAt = -1
	var sentinelID uuid.UUID
	for !r.sentinelSeen || r.caughtUpAt < 0 {
		ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
		msg, err := r.sub.Next(ctx)
		cancel()
		if err != nil {
			r.err = err
			return
		}
		switch {
		case msg.CaughtUp:
			if r.caughtUpAt < 0 {
				r.caughtUpAt = len(r.events)
			}
		case msg.Event != nil:
			r.events = append(r.events, *msg.Event)
			if sentinelID == uuid.Nil && msg.Event.Type == sentinelType {
				sentinelID = <-sentinel
			}
			if msg.Event.ID == sentinelID {
				r.sentinelSeen = true
			}
		}
	}
}

// sentinelType is the type of the last event a race case writes.
const sentinelType = "sentinel"

// start consumes the subscription in a goroutine of its own, so that it
// switches from history to live while the writers run.
func (r *raceSub) start(t testing.TB, sentinel <-chan uuid.UUID) {
	r.done = make(chan struct{})
	go func() {
		defer close(r.done)
		r.consume(t, sentinel)
	}()
}

// runWriters starts writers appending to streams picked by streamOf and
// returns a channel closed when they are done.
func runWriters(t *testing.T, s eventstore.Store, writers, appends int, streamOf func(w int) string, acks *ackTracker) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range appends {
				res, err := s.Append(t.Context(), streamOf(w), eventstore.Any{}, newEvents(1+(w+i)%3)...)
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				acks.ack(res.Position)
			}
		})
	}
	go func() { wg.Wait(); close(done) }()
	return done
}

// maxRaceSubs is how many subscriptions a race case starts while its
// writers run.
const maxRaceSubs = 12

// waitProgress waits until at least n appends were acknowledged; it
// returns false when the writers finished first.
func waitProgress(acks *ackTracker, done <-chan struct{}, n int) bool {
	for {
		if _, got := acks.snapshot(); got >= n {
			return true
		}
		select {
		case <-done:
			return false
		case <-time.After(time.Millisecond):
		}
	}
}

// waitWriters waits for done, failing on a hang.
func waitWriters(t *testing.T, done <-chan struct{}, why string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("writers did not finish within %v: %s", waitLimit, why)
	}
}

func raceAllSubscriptions(t *testing.T, s eventstore.Store) {
	for range 3 {
		mustAppend(t, s, uniqueStream("race-seed"), eventstore.Any{}, newEvents(3)...)
	}
	acks := &ackTracker{}
	shared := uniqueStream("race-shared")
	done := runWriters(t, s, 4, 25, func(w int) string {
		if w%2 == 0 {
			return shared
		}
		return fmt.Sprintf("race-own-%d-%s", w, shared)
	}, acks)
	sentinel := make(chan uuid.UUID, maxRaceSubs)
	subs := startRaceSubs(t, acks, done, sentinel, func(_ int, last eventstore.Position) any { return last },
		func(from any) eventstore.Subscription {
			return mustSubscribeAll(t, s, from.(eventstore.AllFrom), eventstore.SubscribeAllOptions{})
		})
	waitWriters(t, done, "racing writers")
	checkRaceSubs(t, s, subs, sentinel, shared, func() []eventstore.RecordedEvent { return readWholeAll(t, s) })
}

func raceStreamSubscriptions(t *testing.T, s eventstore.Store) {
	stream := uniqueStream("race-stream")
	seedStream(t, s, stream, 3)
	acks := &ackTracker{}
	done := runWriters(t, s, 4, 25, func(int) string { return stream }, acks)
	sentinel := make(chan uuid.UUID, maxRaceSubs)
	subs := startRaceSubs(t, acks, done, sentinel, func(i int, _ eventstore.Position) any { return eventstore.Revision(uint64(2 * i)) },
		func(from any) eventstore.Subscription {
			return mustSubscribeStream(t, s, stream, from.(eventstore.StreamFrom))
		})
	waitWriters(t, done, "racing writers")
	checkRaceSubs(t, s, subs, sentinel, stream, func() []eventstore.RecordedEvent { return readWholeStream(t, s, stream) })
}

// startRaceSubs starts up to maxRaceSubs subscriptions with subscribe
// while the writers run, the i-th once 6*i appends were acknowledged. They
// start in turn at Start, at End and at later(i, the last acknowledged
// position).
func startRaceSubs(t *testing.T, acks *ackTracker, done <-chan struct{}, sentinel <-chan uuid.UUID,
	later func(i int, last eventstore.Position) any, subscribe func(from any) eventstore.Subscription) []*raceSub {
	var subs []*raceSub
	for i := range maxRaceSubs {
		if !waitProgress(acks, done, i*6) {
			break
		}
		last, _ := acks.snapshot()
		var from any
		switch i % 3 {
		case 0:
			from = eventstore.Start{}
		case 1:
			from = eventstore.End{}
		default:
			from = later(i, last)
		}
		rs := &raceSub{name: fmt.Sprintf("sub %d from %#v", i, from), from: from, ackedBefore: last}
		rs.sub = subscribe(from)
		rs.start(t, sentinel)
		subs = append(subs, rs)
	}
	return subs
}

// checkRaceSubs appends a sentinel, lets every subscription read up to it,
// and compares what each delivered with the log: a contiguous run of the
// log ending at the sentinel, starting right after the subscription's
// start, with every event acknowledged before subscribing delivered before
// the first CaughtUp.
func checkRaceSubs(t *testing.T, s eventstore.Store, subs []*raceSub, sentinelIDs chan<- uuid.UUID, sentinelStream string, log func() []eventstore.RecordedEvent) {
	t.Helper()
	sentinel := newEvent(sentinelType)
	for range subs {
		sentinelIDs <- sentinel.ID
	}
	mustAppend(t, s, sentinelStream, eventstore.Any{}, sentinel)
	for _, rs := range subs {
		<-rs.done
	}
	all := log()
	index := make(map[uuid.UUID]int, len(all))
	for i, r := range all {
		index[r.ID] = i
	}
	for _, rs := range subs {
		if rs.err != nil || !rs.sentinelSeen {
			t.Errorf("%s: ended with %v before the sentinel", rs.name, rs.err)
			continue
		}
		first := expectedFirst(all, rs.from)
		if _, isEnd := rs.from.(eventstore.End); isEnd {
			first = index[rs.events[0].ID]
			if rs.events[0].Position.Compare(rs.ackedBefore) <= 0 {
				t.Errorf("%s: delivered %s@%d at %v, acknowledged before the subscription started at %v", rs.name, rs.events[0].Stream, rs.events[0].Revision, rs.events[0].Position, rs.ackedBefore)
			}
		}
		want := all[first:]
		if len(rs.events) != len(want) {
			t.Errorf("%s: delivered %d events, want %d (gap or duplicate)", rs.name, len(rs.events), len(want))
		}
		for i := range min(len(rs.events), len(want)) {
			if rs.events[i].ID != want[i].ID {
				t.Errorf("%s: event %d is %s@%d, want %s@%d (gap, duplicate or reorder)", rs.name, i, rs.events[i].Stream, rs.events[i].Revision, want[i].Stream, want[i].Revision)
				break
			}
		}
		for i := rs.caughtUpAt; i < len(rs.events); i++ {
			if rs.events[i].Position.Compare(rs.ackedBefore) <= 0 {
				t.Errorf("%s: event %s@%d at %v was acknowledged before subscribing but delivered after CaughtUp", rs.name, rs.events[i].Stream, rs.events[i].Revision, rs.events[i].Position)
				break
			}
		}
	}
}

// expectedFirst returns the index in log of the first event a subscription
// from from must deliver (exclusive start).
func expectedFirst(log []eventstore.RecordedEvent, from any) int {
	switch f := from.(type) {
	case eventstore.Position:
		for i, r := range log {
			if r.Position.Compare(f) > 0 {
				return i
			}
		}
		return len(log)
	case eventstore.Revision:
		for i, r := range log {
			if r.Revision > uint64(f) {
				return i
			}
		}
		return len(log)
	}
	return 0
}

// slowSubscriber: subscribers that have caught up then stop reading while
// writers append a burst far larger than any reasonable buffer. The writers
// must finish, and the subscribers then get every event in order.
func slowSubscriber(t *testing.T, s eventstore.Store) {
	stream := uniqueStream("slow")
	allSub := mustSubscribeAll(t, s, eventstore.Start{}, eventstore.SubscribeAllOptions{})
	streamSub := mustSubscribeStream(t, s, stream, eventstore.Start{})
	for _, sub := range []eventstore.Subscription{allSub, streamSub} {
		if got := collectUntilCaughtUp(t, sub); len(got) != 0 {
			t.Fatalf("empty store: got %d events before CaughtUp", len(got))
		}
	}
	acks := &ackTracker{}
	done := runWriters(t, s, 8, 40, func(w int) string {
		if w == 0 {
			return stream
		}
		return fmt.Sprintf("slow-%d-%s", w, stream)
	}, acks)
	waitWriters(t, done, "a subscriber that is not reading blocks writers")
	all := readWholeAll(t, s)
	compareEvents(t, collectEvents(t, allSub, len(all)), all)
	mine := readWholeStream(t, s, stream)
	compareEvents(t, collectEvents(t, streamSub, len(mine)), mine)
}
