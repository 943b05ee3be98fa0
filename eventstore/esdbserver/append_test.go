package esdbserver_test

import (
	"bytes"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

func TestAppendThenReadStream(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("order")
	want := jsonEvents("OrderPlaced", 3)
	before := time.Now()
	res, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: client.NoStream{}}, want...)
	if err != nil {
		t.Fatalf("AppendToStream: %v", err)
	}
	if res.NextExpectedVersion != 2 {
		t.Errorf("NextExpectedVersion: got %d, want 2", res.NextExpectedVersion)
	}
	if res.CommitPosition == 0 || res.CommitPosition != res.PreparePosition {
		t.Errorf("position: got C:%d/P:%d, want equal and non-zero", res.CommitPosition, res.PreparePosition)
	}
	got := readStreamEvents(t, f.client, stream, client.ReadStreamOptions{}, 100)
	if len(got) != len(want) {
		t.Fatalf("read %d events, want %d", len(got), len(want))
	}
	for i, ev := range got {
		e := ev.Event
		if e.EventID != want[i].EventID || e.EventType != want[i].EventType || e.StreamID != stream ||
			e.EventNumber != uint64(i) || !bytes.Equal(e.Data, want[i].Data) || !bytes.Equal(e.UserMetadata, want[i].Metadata) ||
			e.ContentType != "application/json" {
			t.Errorf("event %d: got %+v, want %+v at revision %d", i, e, want[i], i)
		}
		if e.CreatedDate.Before(before.Add(-time.Second)) || e.CreatedDate.After(time.Now().Add(time.Second)) {
			t.Errorf("event %d: CreatedDate %v is not around now", i, e.CreatedDate)
		}
	}
	if p := got[2].Event.Position; p.Commit != res.CommitPosition {
		t.Errorf("last event position: got %v, want the append's %d", p, res.CommitPosition)
	}
}
