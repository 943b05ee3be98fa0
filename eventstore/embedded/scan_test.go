package embedded_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// TestScanRecordsOfEverySize reads back events whose records are smaller
// than, about as large as, and larger than a scan's first read (64 KiB)
// and its full chunk (1 MiB), mixed with small ones, forwards, backwards
// and through a subscription from Start.
func TestScanRecordsOfEverySize(t *testing.T) {
	s := openDir(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	sizes := []int{10, 40 << 10, 70 << 10, 10, 200 << 10, 64<<10 - 100, 900 << 10, 10, 1<<20 + 5000, 3 << 20, 10, 100}
	var want [][]byte
	for i, n := range sizes {
		data := bytes.Repeat([]byte{byte('a' + i)}, n)
		want = append(want, data)
		if _, err := s.Append(ctx, fmt.Sprintf("sized-%d", i%3), eventstore.Any{}, eventstore.EventData{ID: uuid.New(), Type: "Sized", Data: data}); err != nil {
			t.Fatalf("append %d bytes: %v", n, err)
		}
	}
	check := func(how string, got []eventstore.RecordedEvent, reversed bool) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d events, want %d", how, len(got), len(want))
		}
		for i, ev := range got {
			w := want[i]
			if reversed {
				w = want[len(want)-1-i]
			}
			if !bytes.Equal(ev.Data, w) {
				t.Fatalf("%s: event %d has %d bytes of %q, want %d of %q", how, i, len(ev.Data), ev.Data[:1], len(w), w[:1])
			}
		}
	}
	fwd, err := s.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	check("forwards", fwd, false)
	bwd, err := s.ReadAll(ctx, eventstore.ReadAllOptions{Direction: eventstore.Backwards})
	if err != nil {
		t.Fatal(err)
	}
	check("backwards", bwd, true)
	sub, err := s.SubscribeToAll(ctx, eventstore.Start{}, eventstore.SubscribeAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var got []eventstore.RecordedEvent
	for len(got) < len(want) {
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Event != nil {
			got = append(got, *m.Event)
		}
	}
	check("subscription", got, false)
}
