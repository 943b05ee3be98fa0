package esdbserver_test

import (
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// subMsg is one subscription message, flattened for comparison.
type subMsg struct {
	kind   string // "event", "caught-up", "checkpoint"
	stream string
	typ    string
	rev    uint64
}

func recvSub(t testing.TB, sub *client.Subscription) subMsg {
	t.Helper()
	m := sub.Recv()
	switch {
	case m.EventAppeared != nil:
		e := m.EventAppeared.Event
		return subMsg{kind: "event", stream: e.StreamID, typ: e.EventType, rev: e.EventNumber}
	case m.CaughtUp != nil:
		return subMsg{kind: "caught-up"}
	case m.CheckPointReached != nil:
		return subMsg{kind: "checkpoint"}
	case m.SubscriptionDropped != nil:
		t.Fatalf("subscription dropped: %v", m.SubscriptionDropped.Error)
	}
	t.Fatalf("unexpected subscription message %+v", m)
	return subMsg{}
}

func TestSubscribeToStreamCatchesUpThenGoesLive(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("sub")
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("Old", 2)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	sub, err := f.client.SubscribeToStream(ctx, stream, client.SubscribeToStreamOptions{From: client.Start{}})
	if err != nil {
		t.Fatalf("SubscribeToStream: %v", err)
	}
	defer sub.Close()
	want := []subMsg{
		{kind: "event", stream: stream, typ: "Old", rev: 0},
		{kind: "event", stream: stream, typ: "Old", rev: 1},
		{kind: "caught-up"},
	}
	for i, w := range want {
		if got := recvSub(t, sub); got != w {
			t.Fatalf("message %d: got %+v, want %+v", i, got, w)
		}
	}
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("New", 1)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	if got, w := recvSub(t, sub), (subMsg{kind: "event", stream: stream, typ: "New", rev: 2}); got != w {
		t.Fatalf("live message: got %+v, want %+v", got, w)
	}
}
