package esdbserver_test

import (
	"sync"
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// TestConcurrentOptimisticAppends: writers racing on one stream with exact
// expectations through the server; every acknowledged event is in the
// stream exactly once, at consecutive revisions.
func TestConcurrentOptimisticAppends(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("race")
	const writers, perWriter = 6, 15
	var mu sync.Mutex
	acked := map[string]int{}
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWriter {
				ev := jsonEvents("Signed", 1)
				for {
					var expected client.ExpectedRevision = client.NoStream{}
					if last := lastRevision(t, f.client, stream); last >= 0 {
						expected = client.Revision(uint64(last))
					}
					_, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: expected}, ev...)
					if err == nil {
						mu.Lock()
						acked[ev[0].EventID.String()]++
						mu.Unlock()
						break
					}
					if esErr, _ := client.FromError(err); esErr == nil || esErr.Code() != client.ErrorCodeWrongExpectedVersion {
						t.Errorf("append: %v", err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	events := readStreamEvents(t, f.client, stream, client.ReadStreamOptions{}, 1000)
	if len(events) != writers*perWriter {
		t.Fatalf("stream holds %d events, want %d", len(events), writers*perWriter)
	}
	for i, e := range events {
		if e.Event.EventNumber != uint64(i) {
			t.Fatalf("event %d has revision %d", i, e.Event.EventNumber)
		}
		if acked[e.Event.EventID.String()] != 1 {
			t.Fatalf("event %v written but acknowledged %d times", e.Event.EventID, acked[e.Event.EventID.String()])
		}
		delete(acked, e.Event.EventID.String())
	}
	if len(acked) != 0 {
		t.Fatalf("%d acknowledged events are missing from the stream", len(acked))
	}
}

// lastRevision is the stream's last revision, or -1 when it does not exist.
func lastRevision(t testing.TB, c *client.Client, stream string) int64 {
	t.Helper()
	rs, err := c.ReadStream(ctxT(t), stream, client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, 1)
	if err != nil {
		t.Fatalf("ReadStream: %v", err)
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if err != nil {
		if esErr, _ := client.FromError(err); esErr != nil && esErr.Code() == client.ErrorCodeResourceNotFound {
			return -1
		}
		t.Fatalf("Recv: %v", err)
	}
	return int64(ev.Event.EventNumber)
}

// TestIdempotentRetry: an append retried with the same event IDs and the
// same exact expectation (its acknowledgement was lost) returns the
// original result and writes nothing.
func TestIdempotentRetry(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("retry")
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("E", 2)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	batch := jsonEvents("Signed", 3)
	first, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: client.Revision(1)}, batch...)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	again, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: client.Revision(1)}, batch...)
	if err != nil {
		t.Fatalf("retried append: %v", err)
	}
	if *again != *first {
		t.Errorf("retry result: got %+v, want the original %+v", again, first)
	}
	if n := len(readStreamEvents(t, f.client, stream, client.ReadStreamOptions{}, 100)); n != 5 {
		t.Errorf("stream holds %d events after the retry, want 5", n)
	}
}
