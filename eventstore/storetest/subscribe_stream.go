package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

func mustSubscribeStream(t testing.TB, s eventstore.Store, stream string, from eventstore.StreamFrom) eventstore.Subscription {
	t.Helper()
	sub, err := s.SubscribeToStream(t.Context(), stream, from)
	if err != nil {
		t.Fatalf("SubscribeToStream(%q, %#v): %v", stream, from, err)
	}
	closeSub(t, sub)
	return sub
}

// testSubscribeToStream pins catch-up subscriptions to one stream: the start
// is exclusive (Revision(n) delivers n+1 onwards, Start everything, End
// only later events), then CaughtUp, then live events in order.
func testSubscribeToStream(t *testing.T, newStore Factory) {
	s := newStore(t)
	cases := []struct {
		name        string
		seed        int
		from        eventstore.StreamFrom
		wantHistory []uint64
	}{
		{"FromStartDeliversHistoryThenCaughtUpThenLive", 4, eventstore.Start{}, revRange(0, 3)},
		{"FromRevisionIsExclusive", 4, eventstore.Revision(1), revRange(2, 3)},
		{"FromLastRevisionDeliversOnlyLive", 4, eventstore.Revision(3), nil},
		{"FromRevisionPastTheEndDeliversLaterRevisionsOnly", 2, eventstore.Revision(3), nil},
		{"FromEndDeliversOnlyLive", 4, eventstore.End{}, nil},
		{"MissingStreamFromStartDeliversItsCreation", 0, eventstore.Start{}, nil},
		{"MissingStreamFromEndDeliversItsCreation", 0, eventstore.End{}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := uniqueStream("sub")
			evs := seedStream0(t, s, stream, tc.seed)
			// Another stream's events must never be delivered.
			other := uniqueStream("sub-other")
			seedStream(t, s, other, 2)
			sub := mustSubscribeStream(t, s, stream, tc.from)
			history := collectUntilCaughtUp(t, sub)
			if got := revisionsOf(history); !equalRevisions(got, tc.wantHistory) {
				t.Fatalf("history: got revisions %v, want %v", got, tc.wantHistory)
			}
			for _, r := range history {
				checkRecorded(t, r, evs[r.Revision], stream, r.Revision)
			}
			live := newEvents(3)
			for _, e := range live {
				mustAppend(t, s, other, eventstore.Any{}, newEvent("noise"))
				mustAppend(t, s, stream, eventstore.Any{}, e)
			}
			// Live events are delivered when their revision is after the
			// subscription's start.
			var wantLive []eventstore.EventData
			var wantRevs []uint64
			for i, e := range live {
				rev := uint64(tc.seed + i)
				if r, ok := tc.from.(eventstore.Revision); ok && rev <= uint64(r) {
					continue
				}
				wantLive, wantRevs = append(wantLive, e), append(wantRevs, rev)
			}
			got := collectEvents(t, sub, len(wantLive))
			if !equalRevisions(revisionsOf(got), wantRevs) {
				t.Fatalf("live: got revisions %v, want %v", revisionsOf(got), wantRevs)
			}
			for i, r := range got {
				checkRecorded(t, r, wantLive[i], stream, wantRevs[i])
			}
		})
	}
	t.Run("Lifecycle", func(t *testing.T) {
		testSubscriptionLifecycle(t, func(*testing.T) eventstore.Store { return s }, subscribeStreamFunc)
	})
	t.Run("TombstoneEndsStreamSubscription", func(t *testing.T) {
		t.Parallel()
		stream := uniqueStream("sub-tomb")
		seedStream(t, s, stream, 2)
		sub := mustSubscribeStream(t, s, stream, eventstore.Start{})
		if got := collectUntilCaughtUp(t, sub); len(got) != 2 {
			t.Fatalf("history: got %d events, want 2", len(got))
		}
		if _, err := s.Tombstone(t.Context(), stream, eventstore.Any{}); err != nil {
			t.Fatalf("Tombstone: %v", err)
		}
		wantSubscriptionDeleted(t, sub, stream)
	})
	t.Run("SubscribeToTombstonedStreamIsStreamDeleted", func(t *testing.T) {
		t.Parallel()
		stream := uniqueStream("sub-tomb")
		seedStream(t, s, stream, 2)
		if _, err := s.Tombstone(t.Context(), stream, eventstore.Any{}); err != nil {
			t.Fatalf("Tombstone: %v", err)
		}
		sub, err := s.SubscribeToStream(t.Context(), stream, eventstore.Start{})
		if err != nil {
			wantStreamDeleted(t, err, stream)
			return
		}
		closeSub(t, sub)
		wantSubscriptionDeleted(t, sub, stream)
	})
}

// seedStream0 is seedStream that allows n == 0 (no stream).
func seedStream0(t testing.TB, s eventstore.Store, stream string, n int) []eventstore.EventData {
	t.Helper()
	if n == 0 {
		return nil
	}
	return seedStream(t, s, stream, n)
}

// wantSubscriptionDeleted reads sub until it fails and checks the failure
// is *StreamDeletedError. No event of the stream other than the tombstone
// record itself may come first, and neither may CaughtUp be followed by
// anything but the failure.
func wantSubscriptionDeleted(t testing.TB, sub eventstore.Subscription, stream string) {
	t.Helper()
	for range 100 {
		msg, err := nextMessageErr(t, sub)
		if err != nil {
			wantStreamDeleted(t, err, stream)
			return
		}
		if msg.Event != nil && msg.Event.Type != eventstore.TombstoneEventType {
			t.Fatalf("got event %s@%d after the tombstone, want the subscription to end with stream deleted", msg.Event.Stream, msg.Event.Revision)
		}
	}
	t.Fatal("subscription of a tombstoned stream kept delivering messages, want it to end with stream deleted")
}

// subscribeFunc opens the kind of subscription a lifecycle case runs on:
// to stream, or to $all (the stream then only names where to write).
type subscribeFunc func(ctx context.Context, s eventstore.Store, stream string, fromStart bool) (eventstore.Subscription, error)

func subscribeStreamFunc(ctx context.Context, s eventstore.Store, stream string, fromStart bool) (eventstore.Subscription, error) {
	if fromStart {
		return s.SubscribeToStream(ctx, stream, eventstore.Start{})
	}
	return s.SubscribeToStream(ctx, stream, eventstore.End{})
}

func subscribeAllFunc(ctx context.Context, s eventstore.Store, _ string, fromStart bool) (eventstore.Subscription, error) {
	if fromStart {
		return s.SubscribeToAll(ctx, eventstore.Start{}, eventstore.SubscribeAllOptions{})
	}
	return s.SubscribeToAll(ctx, eventstore.End{}, eventstore.SubscribeAllOptions{})
}

// testSubscriptionLifecycle pins Close and context cancellation. storeFor
// returns the store a case runs on: a shared one for stream subscriptions,
// a fresh one for $all (whose cases must see only their own events).
func testSubscriptionLifecycle(t *testing.T, storeFor func(t *testing.T) eventstore.Store, subscribe subscribeFunc) {
	open := func(t *testing.T, ctx context.Context, s eventstore.Store, stream string, fromStart bool) eventstore.Subscription {
		t.Helper()
		sub, err := subscribe(ctx, s, stream, fromStart)
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		closeSub(t, sub)
		return sub
	}
	t.Run("NextAfterCloseIsSubscriptionClosed", func(t *testing.T) {
		t.Parallel()
		s := storeFor(t)
		stream := uniqueStream("sub-close")
		seedStream(t, s, stream, 3)
		sub := open(t, t.Context(), s, stream, true)
		nextMessage(t, sub)
		if err := sub.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		for range 2 {
			if _, err := sub.Next(t.Context()); !errors.Is(err, eventstore.ErrSubscriptionClosed) {
				t.Fatalf("Next after Close: got %v, want ErrSubscriptionClosed", err)
			}
		}
		if err := sub.Close(); err != nil {
			t.Errorf("second Close: got %v, want nil", err)
		}
	})
	t.Run("CloseWakesABlockedNext", func(t *testing.T) {
		t.Parallel()
		s := storeFor(t)
		sub := open(t, t.Context(), s, uniqueStream("sub-close"), false)
		if msg := nextMessage(t, sub); !msg.CaughtUp {
			t.Fatalf("first message: got %+v, want CaughtUp", msg)
		}
		done := make(chan error, 1)
		go func() {
			_, err := sub.Next(context.Background())
			done <- err
		}()
		_ = sub.Close()
		if err := waitErr(t, done); !errors.Is(err, eventstore.ErrSubscriptionClosed) {
			t.Fatalf("blocked Next after Close: got %v, want ErrSubscriptionClosed", err)
		}
	})
	t.Run("CancelledNextContextReturnsItsErrorAndLosesNothing", func(t *testing.T) {
		t.Parallel()
		s := storeFor(t)
		stream := uniqueStream("sub-ctx")
		sub := open(t, t.Context(), s, stream, false)
		if msg := nextMessage(t, sub); !msg.CaughtUp {
			t.Fatalf("first message: got %+v, want CaughtUp", msg)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := sub.Next(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Next with a cancelled context: got %v, want context.Canceled", err)
		}
		// The subscription carries on: nothing is skipped.
		evs := seedStream(t, s, stream, 3)
		got := collectEvents(t, sub, 3)
		if !equalIDs(recordedIDs(got), idsOf(evs)) {
			t.Errorf("after a cancelled Next: got %v, want %v", recordedIDs(got), idsOf(evs))
		}
	})
	t.Run("CancelledSubscribeContextEndsTheSubscription", func(t *testing.T) {
		t.Parallel()
		s := storeFor(t)
		ctx, cancel := context.WithCancel(t.Context())
		sub := open(t, ctx, s, uniqueStream("sub-ctx"), false)
		if msg := nextMessage(t, sub); !msg.CaughtUp {
			t.Fatalf("first message: got %+v, want CaughtUp", msg)
		}
		cancel()
		_, err := nextMessageErr(t, sub)
		if !errors.Is(err, context.Canceled) && !errors.Is(err, eventstore.ErrSubscriptionClosed) {
			t.Fatalf("Next after the subscription's context was cancelled: got %v, want context.Canceled or ErrSubscriptionClosed", err)
		}
	})
}

// waitErr waits for a result from a goroutine, failing on a hang.
func waitErr(t testing.TB, ch <-chan error) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		t.Fatalf("no result within %v (hang)", waitLimit)
		return nil
	}
}
