package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testStreamNames: any name of 1 to MaxStreamNameLen bytes round-trips;
// every operation refuses the empty name with ErrInvalidArgument.
func testStreamNames(t *testing.T, newStore Factory) {
	s := newStore(t)
	names := []struct{ name, stream string }{
		{"SingleByte", "a"},
		{"Slashes", uniqueStream("petition/123/signatures")},
		{"Spaces", uniqueStream("with space")},
		{"Unicode", uniqueStream("ünïcödé-签名-✓")},
		{"DotsAndColons", uniqueStream("a.b:c")},
		{"LongestAllowed", strings.Repeat("l", eventstore.MaxStreamNameLen)},
	}
	for _, tc := range names {
		t.Run(tc.name+"RoundTrips", func(t *testing.T) {
			t.Parallel()
			evs := newEvents(2)
			mustAppend(t, s, tc.stream, eventstore.NoStream{}, evs...)
			got := readWholeStream(t, s, tc.stream)
			if len(got) != 2 {
				t.Fatalf("got %d events, want 2", len(got))
			}
			for i := range evs {
				checkRecorded(t, got[i], evs[i], tc.stream, uint64(i))
			}
		})
	}
	t.Run("EmptyNameIsInvalidEverywhere", func(t *testing.T) {
		t.Parallel()
		ops := []struct {
			op  string
			err error
		}{
			{"ReadStream", second(s.ReadStream(t.Context(), "", eventstore.ReadStreamOptions{}))},
			{"Delete", second(s.Delete(t.Context(), "", eventstore.Any{}))},
			{"Tombstone", second(s.Tombstone(t.Context(), "", eventstore.Any{}))},
			{"Append", second(s.Append(t.Context(), "", eventstore.Any{}))},
			{"SubscribeToStream", subscribeErr(t, s, "")},
		}
		for _, o := range ops {
			if !errors.Is(o.err, eventstore.ErrInvalidArgument) {
				t.Errorf("%s with an empty stream name: got %v, want ErrInvalidArgument", o.op, o.err)
			}
		}
	})
	t.Run("LargeBatchIsOneAtomicAppend", func(t *testing.T) {
		t.Parallel()
		stream := uniqueStream("large")
		evs := newEvents(1000)
		res := mustAppend(t, s, stream, eventstore.NoStream{}, evs...)
		if res.NextRevision != 999 {
			t.Errorf("NextRevision: got %d, want 999", res.NextRevision)
		}
		got := readWholeStream(t, s, stream)
		if !equalIDs(recordedIDs(got), idsOf(evs)) || !equalRevisions(revisionsOf(got), revRange(0, 999)) {
			t.Errorf("stream: got %d events, want the 1000 appended at revisions 0..999", len(got))
		}
	})
}

func second[T any](_ T, err error) error { return err }

// subscribeErr subscribes to stream and returns the error of the
// subscription call or, failing that, of its first Next.
func subscribeErr(t testing.TB, s eventstore.Store, stream string) error {
	sub, err := s.SubscribeToStream(t.Context(), stream, eventstore.Start{})
	if err != nil {
		return err
	}
	defer sub.Close()
	_, err = nextMessageErr(t, sub)
	return err
}

// testClosed: after Close every operation answers ErrClosed, and an open
// subscription ends.
func testClosed(t *testing.T, newStore Factory) {
	s := newStore(t)
	stream := uniqueStream("closed")
	seedStream(t, s, stream, 2)
	sub := mustSubscribeStream(t, s, stream, eventstore.Start{})
	collectUntilCaughtUp(t, sub)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ops := []struct {
		op  string
		err error
	}{
		{"Append", second(s.Append(t.Context(), stream, eventstore.Any{}, newEvent("late")))},
		{"ReadStream", second(s.ReadStream(t.Context(), stream, eventstore.ReadStreamOptions{}))},
		{"ReadAll", second(s.ReadAll(t.Context(), eventstore.ReadAllOptions{}))},
		{"SubscribeToStream", second(s.SubscribeToStream(t.Context(), stream, eventstore.Start{}))},
		{"SubscribeToAll", second(s.SubscribeToAll(t.Context(), eventstore.Start{}, eventstore.SubscribeAllOptions{}))},
		{"Delete", second(s.Delete(t.Context(), stream, eventstore.Any{}))},
		{"Tombstone", second(s.Tombstone(t.Context(), stream, eventstore.Any{}))},
	}
	for _, o := range ops {
		if !errors.Is(o.err, eventstore.ErrClosed) {
			t.Errorf("%s after Close: got %v, want ErrClosed", o.op, o.err)
		}
	}
	_, err := nextMessageErr(t, sub)
	if !errors.Is(err, eventstore.ErrClosed) && !errors.Is(err, eventstore.ErrSubscriptionClosed) {
		t.Errorf("Next on a subscription of a closed store: got %v, want ErrClosed or ErrSubscriptionClosed", err)
	}
}
