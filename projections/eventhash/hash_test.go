package eventhash_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/eventhash"
)

func sampleEvent() eventstore.RecordedEvent {
	return eventstore.RecordedEvent{
		Stream:      "petition-1",
		Revision:    7,
		Position:    eventstore.Position{Commit: 42, Prepare: 42},
		ID:          uuid.MustParse("0190b3c4-0000-7000-8000-000000000001"),
		Type:        "SignatureValidated",
		ContentType: eventstore.ContentTypeJSON,
		Data:        []byte(`{"petition_id":1}`),
		Metadata:    []byte(`{"actor_role":"public"}`),
		Created:     time.Date(2022, 3, 21, 10, 15, 0, 0, time.UTC),
	}
}

// TestOfPinned pins the hash of one event: changing the encoding must be a
// deliberate version bump.
func TestOfPinned(t *testing.T) {
	ev := sampleEvent()
	got := eventhash.Of(&ev)
	const want = "7425c62f72d67f93c8ba24a5645500264a759b3f461d6b2e2b4b0d478861f97d"
	if hex.EncodeToString(got[:]) != want {
		t.Fatalf("hash: got %x, want %s", got, want)
	}
}

func TestEveryFieldChangesTheHash(t *testing.T) {
	base := sampleEvent()
	h0 := eventhash.Of(&base)
	tests := []struct {
		name   string
		mutate func(*eventstore.RecordedEvent)
	}{
		{"Commit", func(e *eventstore.RecordedEvent) { e.Position.Commit++ }},
		{"Prepare", func(e *eventstore.RecordedEvent) { e.Position.Prepare++ }},
		{"Stream", func(e *eventstore.RecordedEvent) { e.Stream += "x" }},
		{"Revision", func(e *eventstore.RecordedEvent) { e.Revision++ }},
		{"ID", func(e *eventstore.RecordedEvent) { e.ID[15] ^= 1 }},
		{"Type", func(e *eventstore.RecordedEvent) { e.Type = "SignatureInvalidated" }},
		{"ContentType", func(e *eventstore.RecordedEvent) { e.ContentType = "" }},
		{"Created", func(e *eventstore.RecordedEvent) { e.Created = e.Created.Add(time.Nanosecond) }},
		{"Data", func(e *eventstore.RecordedEvent) { e.Data = append([]byte{}, `{"petition_id":2}`...) }},
		{"Metadata", func(e *eventstore.RecordedEvent) { e.Metadata = nil }},
		// Moving a byte from one field to the next must change the hash.
		{"StreamTypeBoundary", func(e *eventstore.RecordedEvent) { e.Stream = "petition-1S"; e.Type = "ignatureValidated" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := sampleEvent()
			tt.mutate(&ev)
			if got := eventhash.Of(&ev); got == h0 {
				t.Fatalf("hash unchanged after mutating %s", tt.name)
			}
		})
	}
}

func TestHasherReuseEqualsOf(t *testing.T) {
	var h eventhash.Hasher
	a, b := sampleEvent(), sampleEvent()
	b.Revision = 99
	for _, ev := range []*eventstore.RecordedEvent{&a, &b, &a} {
		if got, want := h.Sum(ev), eventhash.Of(ev); got != want {
			t.Fatalf("Hasher.Sum %x != Of %x", got, want)
		}
	}
}

// TestEncodingByHand writes the documented encoding out byte by byte,
// independently of AppendEncoding.
func TestEncodingByHand(t *testing.T) {
	ev := sampleEvent()
	var want []byte
	want = append(want, "petitionledger/event/v1\x00"...)
	want = append(want, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 42)
	want = append(want, 0, 0, 0, 10)
	want = append(want, "petition-1"...)
	want = append(want, 0, 0, 0, 0, 0, 0, 0, 7)
	want = append(want, 0x01, 0x90, 0xb3, 0xc4, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 1)
	want = append(want, 0, 0, 0, 18)
	want = append(want, "SignatureValidated"...)
	want = append(want, 0, 0, 0, 16)
	want = append(want, "application/json"...)
	ns := uint64(ev.Created.UnixNano())
	for i := 7; i >= 0; i-- {
		want = append(want, byte(ns>>(8*i)))
	}
	want = append(want, 0, 0, 0, 17)
	want = append(want, `{"petition_id":1}`...)
	want = append(want, 0, 0, 0, 23)
	want = append(want, `{"actor_role":"public"}`...)
	got := eventhash.AppendEncoding(nil, &ev)
	if string(got) != string(want) {
		t.Fatalf("encoding:\n got %x\nwant %x", got, want)
	}
	if sum := sha256.Sum256(want); eventhash.Hash(sum) != eventhash.Of(&ev) {
		t.Fatalf("Of is not SHA-256 of the encoding")
	}
}
