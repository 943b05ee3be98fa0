package esdb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

func signatures(n int) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = eventstore.EventData{ID: uuid.New(), Type: "SignatureAdded", Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}
	}
	return out
}

// subscriptionLog reads a subscription and records what it delivers.
type subscriptionLog struct {
	revs        []uint64 // revisions of the events of the watched stream
	positions   []eventstore.Position
	caughtUp    []int // index in revs at which each CaughtUp marker came
	checkpoints []eventstore.Position
}

// readUntil reads sub until it holds n events of stream; the deadline only
// guards against a hang.
func (l *subscriptionLog) readUntil(t *testing.T, sub eventstore.Subscription, stream string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for len(l.revs) < n {
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("Next after revisions %v: %v", l.revs, err)
		}
		switch {
		case m.CaughtUp:
			l.caughtUp = append(l.caughtUp, len(l.revs))
		case m.Event != nil && m.Event.Stream == stream:
			l.revs = append(l.revs, m.Event.Revision)
			l.positions = append(l.positions, m.Event.Position)
		case m.Checkpoint != nil:
			l.checkpoints = append(l.checkpoints, *m.Checkpoint)
		}
	}
}

// check asserts revisions 0..n-1 each exactly once, in order, with strictly
// increasing positions and one CaughtUp after the first `history` events.
func (l *subscriptionLog) check(t *testing.T, name string, n, history int) {
	t.Helper()
	for i, rev := range l.revs {
		if rev != uint64(i) {
			t.Fatalf("%s: got revisions %v, want 0..%d each once (gap or duplicate)", name, l.revs, n-1)
		}
		if i > 0 && l.positions[i].Compare(l.positions[i-1]) <= 0 {
			t.Errorf("%s: position %v after %v does not increase", name, l.positions[i], l.positions[i-1])
		}
	}
	if len(l.caughtUp) != 1 || l.caughtUp[0] != history {
		t.Errorf("%s: CaughtUp markers after events %v, want exactly one after %d", name, l.caughtUp, history)
	}
	for i := 1; i < len(l.checkpoints); i++ {
		if l.checkpoints[i].Compare(l.checkpoints[i-1]) <= 0 {
			t.Errorf("%s: checkpoint %v after %v does not move forwards", name, l.checkpoints[i], l.checkpoints[i-1])
		}
	}
}

// TestResubscribeAfterServerRestart stops the server in the middle of three
// subscriptions (stream, $all, filtered $all), writes while it is down (the
// appends retry), restarts it on the same port over the same data, and
// checks every subscription goes on with no gap, no duplicate, no second
// CaughtUp marker and no checkpoint going backwards.
func TestResubscribeAfterServerRestart(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir, "127.0.0.1:0")
	addr := n.addr
	s := openBackend(t, addr)
	ctx := context.Background()
	stream := "petition-" + uuid.NewString()

	if _, err := s.Append(ctx, stream, eventstore.NoStream{}, signatures(5)...); err != nil {
		t.Fatal(err)
	}
	subAll, err := s.SubscribeToAll(ctx, eventstore.Start{}, eventstore.SubscribeAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer subAll.Close()
	subStream, err := s.SubscribeToStream(ctx, stream, eventstore.Start{})
	if err != nil {
		t.Fatal(err)
	}
	defer subStream.Close()
	filter := &eventstore.Filter{On: eventstore.FilterStreamName, Prefixes: []string{"petition-"}}
	subFiltered, err := s.SubscribeToAll(ctx, eventstore.Start{}, eventstore.SubscribeAllOptions{Filter: filter, CheckpointInterval: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer subFiltered.Close()

	var all, one, filtered subscriptionLog
	all.readUntil(t, subAll, stream, 5)
	one.readUntil(t, subStream, stream, 5)
	filtered.readUntil(t, subFiltered, stream, 5)
	if _, err := s.Append(ctx, stream, eventstore.Exact(4), signatures(2)...); err != nil {
		t.Fatal(err)
	}
	all.readUntil(t, subAll, stream, 7)
	one.readUntil(t, subStream, stream, 7)
	filtered.readUntil(t, subFiltered, stream, 7)

	n.stop()
	// While the server is down, an Exact append keeps retrying; it lands
	// once the server is back.
	appended := make(chan error, 1)
	go func() {
		_, err := s.Append(ctx, stream, eventstore.Exact(6), signatures(3)...)
		appended <- err
	}()
	time.Sleep(1200 * time.Millisecond) // let the subscriptions and the append see the outage
	startNode(t, dir, addr)
	if err := <-appended; err != nil {
		t.Fatalf("append across the restart: %v", err)
	}

	all.readUntil(t, subAll, stream, 10)
	one.readUntil(t, subStream, stream, 10)
	filtered.readUntil(t, subFiltered, stream, 10)
	all.check(t, "$all", 10, 5)
	one.check(t, "stream", 10, 5)
	filtered.check(t, "filtered $all", 10, 5)

	got, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Errorf("stream holds %d events, want 10 (the retried append must land once)", len(got))
	}
}
