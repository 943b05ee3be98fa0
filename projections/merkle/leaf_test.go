package merkle

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
)

func sampleEvent() eventstore.RecordedEvent {
	return eventstore.RecordedEvent{
		Stream:      "signer-7-ab12",
		Revision:    1,
		Position:    eventstore.Position{Commit: 4242, Prepare: 4242},
		ID:          uuid.MustParse("0b6b3a6c-1c1a-4c3e-9f6e-2f0d1e9a7b10"),
		Type:        "SignatureValidated.v1",
		ContentType: eventstore.ContentTypeJSON,
		Data:        []byte(`{"petition_id":7}`),
		Metadata:    []byte(`{"v":1}`),
		Created:     time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
	}
}

// TestLeafGolden pins encoding version 1: testdata/leaf-v1.hex holds the
// leaf bytes of sampleEvent and its leaf hash. UPDATE_GOLDEN=1 rewrites it.
func TestLeafGolden(t *testing.T) {
	ev := sampleEvent()
	leaf := LeafBytes(&ev)
	h := LeafHash(&ev)
	got := []byte("leaf " + hex.EncodeToString(leaf) + "\nhash " + hex.EncodeToString(h[:]) + "\n")
	file := filepath.Join("testdata", "leaf-v1.hex")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("leaf encoding changed:\ngot  %s\nwant %s", got, want)
	}
}

func TestLeafIgnoresPositionAndCreated(t *testing.T) {
	a, b := sampleEvent(), sampleEvent()
	b.Position = eventstore.Position{Commit: 1, Prepare: 9}
	b.Created = time.Now()
	if LeafHash(&a) != LeafHash(&b) {
		t.Fatal("leaf hash depends on position or created time")
	}
	c := sampleEvent()
	c.ContentType = ""
	if LeafHash(&a) != LeafHash(&c) {
		t.Fatal("an empty content type must encode as JSON")
	}
}

func TestLeafEveryFieldMatters(t *testing.T) {
	base := sampleEvent()
	muts := map[string]func(e *eventstore.RecordedEvent){
		"stream":   func(e *eventstore.RecordedEvent) { e.Stream += "x" },
		"revision": func(e *eventstore.RecordedEvent) { e.Revision++ },
		"id":       func(e *eventstore.RecordedEvent) { e.ID[15] ^= 1 },
		"type":     func(e *eventstore.RecordedEvent) { e.Type = "SignatureSigned.v1" },
		"ctype":    func(e *eventstore.RecordedEvent) { e.ContentType = eventstore.ContentTypeBinary },
		"data":     func(e *eventstore.RecordedEvent) { e.Data = append([]byte{}, e.Data...); e.Data[2] ^= 1 },
		"metadata": func(e *eventstore.RecordedEvent) { e.Metadata = nil },
		"shift":    func(e *eventstore.RecordedEvent) { e.Data, e.Metadata = append(e.Data, e.Metadata[0]), e.Metadata[1:] },
	}
	for name, mut := range muts {
		e := sampleEvent()
		mut(&e)
		if LeafHash(&e) == LeafHash(&base) {
			t.Errorf("changing %s does not change the leaf hash", name)
		}
	}
}

func TestParseLeafRoundTrip(t *testing.T) {
	ev := sampleEvent()
	l, err := ParseLeaf(LeafBytes(&ev))
	if err != nil {
		t.Fatal(err)
	}
	if l.Stream != ev.Stream || l.Revision != ev.Revision || l.ID != ev.ID || l.Type != ev.Type ||
		l.ContentType != ev.ContentType || !bytes.Equal(l.Data, ev.Data) || !bytes.Equal(l.Metadata, ev.Metadata) {
		t.Fatalf("round trip: got %+v", l)
	}
	leaf := LeafBytes(&ev)
	for _, bad := range [][]byte{nil, leaf[:10], leaf[:len(leaf)-1], append(append([]byte{}, leaf...), 0)} {
		if _, err := ParseLeaf(bad); err == nil {
			t.Errorf("ParseLeaf(%d bytes) accepted a bad leaf", len(bad))
		}
	}
}

func FuzzParseLeaf(f *testing.F) {
	ev := sampleEvent()
	f.Add(LeafBytes(&ev))
	f.Add([]byte(LeafPrefix))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLeaf(b)
		if err != nil {
			return
		}
		re := eventstore.RecordedEvent{Stream: l.Stream, Revision: l.Revision, ID: l.ID, Type: l.Type,
			ContentType: l.ContentType, Data: l.Data, Metadata: l.Metadata}
		if l.ContentType == "" {
			return // encodes as JSON: not a fixed point
		}
		if !bytes.Equal(LeafBytes(&re), b) {
			t.Fatalf("re-encoding a parsed leaf gives different bytes")
		}
	})
}

// TestHashEventMatchesLeafHash: the buffer-reusing HashEvent gives the
// same hash as LeafHash, also when the buffer held a longer leaf before.
func TestHashEventMatchesLeafHash(t *testing.T) {
	long := &eventstore.RecordedEvent{Stream: "sig-1", Type: "SignatureSigned", Data: make([]byte, 4000)}
	short := &eventstore.RecordedEvent{Stream: "p", Revision: 7, Type: "PetitionClosed", ContentType: "application/octet-stream", Data: []byte(`{}`), Metadata: []byte("m")}
	var buf []byte
	for _, ev := range []*eventstore.RecordedEvent{long, short, long} {
		var got Hash
		got, buf = HashEvent(buf, ev)
		if want := LeafHash(ev); got != want {
			t.Errorf("HashEvent(%s) = %x, want LeafHash %x", ev.Type, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, buf = HashEvent(buf, long) }); n != 0 {
		t.Errorf("HashEvent allocates %v times per call with a reused buffer, want 0", n)
	}
}
