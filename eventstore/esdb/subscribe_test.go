package esdb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"

	"github.com/petitionledger/petitionledger/eventstore"
)

// describe renders a message for comparison: "E<pos>" or "E<stream>@<rev>",
// "caught-up", "K<pos>".
func describe(m eventstore.SubscriptionMessage, all bool) string {
	switch {
	case m.Event != nil && all:
		return fmt.Sprintf("E%d", m.Event.Position.Commit)
	case m.Event != nil:
		return fmt.Sprintf("E%s@%d", m.Event.Stream, m.Event.Revision)
	case m.CaughtUp:
		return "caught-up"
	case m.Checkpoint != nil:
		return fmt.Sprintf("K%d", m.Checkpoint.Commit)
	}
	return "empty"
}

// nextN reads n messages; the deadline only guards against a hang.
func nextN(t *testing.T, sub eventstore.Subscription, n int, all bool) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []string
	for len(got) < n {
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("Next after %v: %v", got, err)
		}
		got = append(got, describe(m, all))
	}
	return got
}

var t0 = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func ev(pos uint64) *api.ReadResp { return recordedEvent("s", pos/10-1, pos, "T", t0) }

// TestSubscribeToAllResubscribes drops a $all subscription mid-stream and
// checks the store resubscribes from the last delivered position, drops the
// replayed event, emits one caught-up marker and passes checkpoints and the
// filter through.
func TestSubscribeToAllResubscribes(t *testing.T) {
	f := &fakeServer{readReply: func(n int, req *api.ReadReq) ([]*api.ReadResp, *fakeErr) {
		if req.GetOptions().GetSubscription() == nil { // the head read
			return []*api.ReadResp{ev(20)}, nil
		}
		if n == 0 {
			return []*api.ReadResp{confirmation(), ev(10), ev(20), caughtUp(), ev(30)},
				&fakeErr{codes.Unavailable, "connection reset", nil}
		}
		return []*api.ReadResp{confirmation(), ev(30), ev(40), checkpoint(45), caughtUp(), checkpoint(45), ev(50)}, nil
	}}
	s := openFake(t, f, testPolicy)
	filter := &eventstore.Filter{On: eventstore.FilterStreamName, Prefixes: []string{"s"}}
	sub, err := s.SubscribeToAll(context.Background(), eventstore.Start{}, eventstore.SubscribeAllOptions{Filter: filter, CheckpointInterval: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	got := nextN(t, sub, 7, true)
	want := []string{"E10", "E20", "caught-up", "E30", "E40", "K45", "E50"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	f.mu.Lock()
	reads := slices.Clone(f.reads)
	f.mu.Unlock()
	var subs []*api.ReadReq
	for _, r := range reads {
		if r.GetOptions().GetSubscription() != nil {
			subs = append(subs, r)
		}
	}
	if len(subs) != 2 {
		t.Fatalf("got %d subscribe requests, want 2", len(subs))
	}
	if subs[0].GetOptions().GetAll().GetStart() == nil {
		t.Errorf("first subscription: got %v, want from start", subs[0].GetOptions().GetAll())
	}
	if got := subs[1].GetOptions().GetAll().GetPosition().GetCommitPosition(); got != 30 {
		t.Errorf("resubscription from %d, want 30", got)
	}
	fo := subs[1].GetOptions().GetFilter()
	if got := fo.GetStreamIdentifier().GetPrefix(); !slices.Equal(got, []string{"s"}) {
		t.Errorf("filter prefixes %v, want [s]", got)
	}
	if fo.GetMax() != 5 || fo.GetCheckpointIntervalMultiplier() != 1 {
		t.Errorf("filter window %d × %d, want 5 × 1", fo.GetMax(), fo.GetCheckpointIntervalMultiplier())
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Next(context.Background()); !errors.Is(err, eventstore.ErrSubscriptionClosed) {
		t.Errorf("Next after Close: got %v, want ErrSubscriptionClosed", err)
	}
}

// TestSubscribeToStreamEndIsPinned checks End becomes the stream's head
// revision, so a resubscription cannot skip what was written during the
// outage, and that the marker comes first when there is no history.
func TestSubscribeToStreamEndIsPinned(t *testing.T) {
	f := &fakeServer{readReply: func(n int, req *api.ReadReq) ([]*api.ReadResp, *fakeErr) {
		if req.GetOptions().GetSubscription() == nil {
			return []*api.ReadResp{ev(30)}, nil // head: revision 2
		}
		if n == 0 {
			return []*api.ReadResp{confirmation(), caughtUp(), ev(40)}, &fakeErr{codes.Unavailable, "gone", nil}
		}
		return []*api.ReadResp{confirmation(), ev(40), ev(50)}, nil
	}}
	s := openFake(t, f, testPolicy)
	sub, err := s.SubscribeToStream(context.Background(), "s", eventstore.End{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	got := nextN(t, sub, 3, false)
	want := []string{"caught-up", "Es@3", "Es@4"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var revs []uint64
	for _, r := range f.reads {
		if r.GetOptions().GetSubscription() != nil {
			revs = append(revs, r.GetOptions().GetStream().GetRevision())
		}
	}
	if !slices.Equal(revs, []uint64{2, 3}) {
		t.Errorf("subscribed from revisions %v, want [2 3]", revs)
	}
}

// TestSubscribeDerivesCaughtUp checks the marker is emitted after the head
// event when the server never sends caught_up (servers before 23.10).
func TestSubscribeDerivesCaughtUp(t *testing.T) {
	f := &fakeServer{readReply: func(n int, req *api.ReadReq) ([]*api.ReadResp, *fakeErr) {
		if req.GetOptions().GetSubscription() == nil {
			return []*api.ReadResp{ev(20)}, nil
		}
		return []*api.ReadResp{confirmation(), ev(10), ev(20), ev(30)}, nil
	}}
	s := openFake(t, f, testPolicy)
	sub, err := s.SubscribeToAll(context.Background(), eventstore.Start{}, eventstore.SubscribeAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	got := nextN(t, sub, 4, true)
	want := []string{"E10", "E20", "caught-up", "E30"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestSubscriptionEndsOnPermanentError checks a stream subscription that the
// server ends with stream-deleted reports *StreamDeletedError and does not
// resubscribe.
func TestSubscriptionEndsOnPermanentError(t *testing.T) {
	f := &fakeServer{readReply: func(n int, req *api.ReadReq) ([]*api.ReadResp, *fakeErr) {
		if req.GetOptions().GetSubscription() == nil {
			return []*api.ReadResp{ev(10)}, nil
		}
		return []*api.ReadResp{confirmation(), ev(10)},
			&fakeErr{codes.FailedPrecondition, "Event stream 's' is deleted.", []string{"exception", "stream-deleted", "stream-name", "s"}}
	}}
	s := openFake(t, f, testPolicy)
	sub, err := s.SubscribeToStream(context.Background(), "s", eventstore.Start{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if got, want := nextN(t, sub, 2, false), []string{"Es@0", "caught-up"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = sub.Next(ctx)
	var sd *eventstore.StreamDeletedError
	if !errors.As(err, &sd) || sd.Stream != "s" {
		t.Errorf("got %v, want *StreamDeletedError for s", err)
	}
	if n := f.count("subscribe"); n != 1 {
		t.Errorf("got %d subscriptions, want 1", n)
	}
}

func TestSubscribeRejectsBadFilter(t *testing.T) {
	s := openFake(t, &fakeServer{}, testPolicy)
	for _, f := range []*eventstore.Filter{
		{On: eventstore.FilterStreamName},
		{On: eventstore.FilterEventType, Prefixes: []string{"a"}, Regex: "b"},
		{On: eventstore.FilterEventType, Regex: "("},
		{On: 7, Prefixes: []string{"a"}},
	} {
		_, err := s.SubscribeToAll(context.Background(), eventstore.Start{}, eventstore.SubscribeAllOptions{Filter: f})
		if !errors.Is(err, eventstore.ErrInvalidArgument) {
			t.Errorf("filter %+v: got %v, want ErrInvalidArgument", f, err)
		}
	}
}

// TestCloseDuringOutage closes the store while its subscription is trying
// to resubscribe to a server that is gone: Next must end, and nothing may
// panic.
func TestCloseDuringOutage(t *testing.T) {
	f := &fakeServer{readReply: func(n int, req *api.ReadReq) ([]*api.ReadResp, *fakeErr) {
		if req.GetOptions().GetSubscription() == nil {
			return []*api.ReadResp{ev(10)}, nil
		}
		return []*api.ReadResp{confirmation(), ev(10), caughtUp()}, nil
	}}
	s := openFake(t, f, RetryPolicy{MaxAttempts: 1000, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond})
	sub, err := s.SubscribeToAll(context.Background(), eventstore.Start{}, eventstore.SubscribeAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := nextN(t, sub, 2, true), []string{"E10", "caught-up"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	f.stop()
	time.Sleep(50 * time.Millisecond) // let the pump notice the drop and start resubscribing
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := sub.Next(ctx); !errors.Is(err, eventstore.ErrSubscriptionClosed) {
		t.Errorf("Next after Close: got %v, want ErrSubscriptionClosed", err)
	}
}
