package esdbserver_test

import (
	"fmt"
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

func TestSubscribeToAllFiltered(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	// 40 events no filter below matches, then one of each kind.
	for i := range 40 {
		if _, err := f.client.AppendToStream(ctx, fmt.Sprintf("noise-%d", i%3), client.AppendToStreamOptions{}, jsonEvents("Noise", 1)...); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	if _, err := f.client.AppendToStream(ctx, "petition-1", client.AppendToStreamOptions{}, jsonEvents("PetitionCreated", 1)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	if _, err := f.client.SetStreamMetadata(ctx, "petition-1", client.AppendToStreamOptions{}, client.StreamMetadata{}); err != nil {
		t.Fatalf("SetStreamMetadata: %v", err)
	}
	tests := []struct {
		name   string
		filter *client.SubscriptionFilter
		window int
		want   []subMsg // after the noise
	}{
		{"StreamPrefix", &client.SubscriptionFilter{Type: client.StreamFilterType, Prefixes: []string{"petition-"}}, 0,
			[]subMsg{{kind: "event", stream: "petition-1", typ: "PetitionCreated"}}},
		{"StreamRegex", &client.SubscriptionFilter{Type: client.StreamFilterType, Regex: "^\\$\\$petition"}, 0,
			[]subMsg{{kind: "event", stream: "$$petition-1", typ: "$metadata"}}},
		{"EventTypePrefix", &client.SubscriptionFilter{Type: client.EventFilterType, Prefixes: []string{"Petition"}}, 0,
			[]subMsg{{kind: "event", stream: "petition-1", typ: "PetitionCreated"}}},
		{"ExcludeSystemEvents", client.ExcludeSystemEventsFilter(), 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := client.SubscribeToAllOptions{From: client.Start{}, Filter: tc.filter, CheckpointInterval: 1, MaxSearchWindow: 10}
			sub, err := f.client.SubscribeToAll(ctx, opts)
			if err != nil {
				t.Fatalf("SubscribeToAll: %v", err)
			}
			defer sub.Close()
			var events, checkpoints int
			var got []subMsg
			for {
				m := recvSub(t, sub)
				if m.kind == "caught-up" {
					break
				}
				if m.kind == "checkpoint" {
					checkpoints++
					continue
				}
				events++
				if m.typ != "Noise" {
					m.rev = 0
					got = append(got, m)
				}
			}
			if tc.name == "ExcludeSystemEvents" {
				if events != 41 {
					t.Errorf("events: got %d, want the 41 non-system events", events)
				}
			} else if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) || events != len(tc.want) {
				t.Errorf("events: got %v (%d in all), want %v", got, events, tc.want)
			}
			// 40 non-matching events scanned with a window of 10 ×
			// multiplier 1: a checkpoint at least every 10 of them.
			if tc.name != "ExcludeSystemEvents" && checkpoints < 4 {
				t.Errorf("checkpoints: got %d, want at least 4 for 40 unmatched events with interval 10", checkpoints)
			}
		})
	}
}

func TestSubscribeToAllFromPositionIsExclusive(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("excl")
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("E", 3)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	events := readStreamEvents(t, f.client, stream, client.ReadStreamOptions{}, 10)
	sub, err := f.client.SubscribeToAll(ctx, client.SubscribeToAllOptions{From: events[1].Event.Position})
	if err != nil {
		t.Fatalf("SubscribeToAll: %v", err)
	}
	defer sub.Close()
	want := []subMsg{{kind: "event", stream: stream, typ: "E", rev: 2}, {kind: "caught-up"}}
	for i, w := range want {
		if got := recvSub(t, sub); got != w {
			t.Fatalf("message %d: got %+v, want %+v", i, got, w)
		}
	}
}

func TestSubscribeToStreamFromRevisionAndEnd(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("from")
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("Old", 3)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	fromRev, err := f.client.SubscribeToStream(ctx, stream, client.SubscribeToStreamOptions{From: client.Revision(1)})
	if err != nil {
		t.Fatalf("SubscribeToStream: %v", err)
	}
	defer fromRev.Close()
	fromEnd, err := f.client.SubscribeToStream(ctx, stream, client.SubscribeToStreamOptions{From: client.End{}})
	if err != nil {
		t.Fatalf("SubscribeToStream: %v", err)
	}
	defer fromEnd.Close()
	if got, w := recvSub(t, fromRev), (subMsg{kind: "event", stream: stream, typ: "Old", rev: 2}); got != w {
		t.Fatalf("from revision 1: got %+v, want %+v (exclusive start)", got, w)
	}
	for _, sub := range []*client.Subscription{fromRev, fromEnd} {
		if got := recvSub(t, sub); got.kind != "caught-up" {
			t.Fatalf("got %+v, want caught-up", got)
		}
	}
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("New", 1)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	for _, sub := range []*client.Subscription{fromRev, fromEnd} {
		if got, w := recvSub(t, sub), (subMsg{kind: "event", stream: stream, typ: "New", rev: 3}); got != w {
			t.Fatalf("live: got %+v, want %+v", got, w)
		}
	}
}

// TestSubscribeToAllLiveCheckpoints: a filtered subscription that is live
// keeps sending checkpoints while it scans events that do not match.
func TestSubscribeToAllLiveCheckpoints(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	filter := &client.SubscriptionFilter{Type: client.StreamFilterType, Prefixes: []string{"wanted-"}}
	sub, err := f.client.SubscribeToAll(ctx, client.SubscribeToAllOptions{From: client.End{}, Filter: filter, MaxSearchWindow: 5, CheckpointInterval: 2})
	if err != nil {
		t.Fatalf("SubscribeToAll: %v", err)
	}
	defer sub.Close()
	if m := recvSub(t, sub); m.kind != "caught-up" {
		t.Fatalf("first message: got %+v, want caught-up", m)
	}
	for i := range 30 {
		if _, err := f.client.AppendToStream(ctx, fmt.Sprintf("unwanted-%d", i), client.AppendToStreamOptions{}, jsonEvents("E", 1)...); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	if _, err := f.client.AppendToStream(ctx, "wanted-1", client.AppendToStreamOptions{}, jsonEvents("W", 1)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	checkpoints := 0
	for {
		m := recvSub(t, sub)
		if m.kind == "checkpoint" {
			checkpoints++
			continue
		}
		if want := (subMsg{kind: "event", stream: "wanted-1", typ: "W"}); m != want {
			t.Fatalf("got %+v, want %+v", m, want)
		}
		break
	}
	// 30 unmatched events, a checkpoint every 2 × 5 of them.
	if checkpoints < 3 {
		t.Errorf("live checkpoints: got %d, want at least 3", checkpoints)
	}
}
