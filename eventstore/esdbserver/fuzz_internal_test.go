package esdbserver

import (
	"log/slog"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
)

// FuzzParseUUID: any string either fails or parses to a UUID whose
// structured form parses back to the same UUID.
func FuzzParseUUID(f *testing.F) {
	for _, s := range []string{"38fffbc2-339e-11ea-8c7b-784f43837872", "", "x", "{38fffbc2-339e-11ea-8c7b-784f43837872}", "urn:uuid:38fffbc2-339e-11ea-8c7b-784f43837872"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseUUID(&shared.UUID{Value: &shared.UUID_String_{String_: s}})
		if err != nil {
			return
		}
		back, err := parseUUID(structuredUUID(id))
		if err != nil || back != id {
			t.Fatalf("structured round trip of %v: got %v, %v", id, back, err)
		}
	})
}

// FuzzProposedMessage decodes arbitrary bytes as an append message: the
// server either rejects it or produces an event that matches it.
func FuzzProposedMessage(f *testing.F) {
	s := New(nil, Options{Logger: slog.New(slog.DiscardHandler), MaxAppendEventSize: 1 << 16})
	seed := func(m *streams.AppendReq_ProposedMessage) {
		b, err := proto.Marshal(&streams.AppendReq{Content: &streams.AppendReq_ProposedMessage_{ProposedMessage: m}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed(&streams.AppendReq_ProposedMessage{Id: &shared.UUID{Value: &shared.UUID_String_{String_: uuid.NewString()}},
		Metadata: map[string]string{"type": "T", "content-type": "application/json"}, Data: []byte(`{}`)})
	seed(&streams.AppendReq_ProposedMessage{Metadata: map[string]string{"type": "T"}})
	seed(&streams.AppendReq_ProposedMessage{})
	f.Add([]byte{0x12, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		var req streams.AppendReq
		if proto.Unmarshal(b, &req) != nil {
			return
		}
		var msg appendMessage
		if err := decodeAppend(b, &msg); err != nil {
			t.Fatalf("decodeAppend failed where proto.Unmarshal did not: %v", err)
		}
		ev, n, err := s.proposedEvent(msg.proposed)
		if err != nil {
			return
		}
		m := req.GetProposedMessage()
		if ev.Type != m.GetMetadata()["type"] || string(ev.Data) != string(m.GetData()) || string(ev.Metadata) != string(m.GetCustomMetadata()) {
			t.Fatalf("event %+v does not match message %v", ev, m)
		}
		if n != eventSize(ev.Type, ev.Data, ev.Metadata) || n > 1<<16 {
			t.Fatalf("size %d for %+v", n, ev)
		}
		if ev.ContentType != "application/json" && ev.ContentType != "application/octet-stream" {
			t.Fatalf("content type %q", ev.ContentType)
		}
	})
}

// FuzzReadOptions decodes arbitrary bytes as a read request and runs the
// option conversions: they never panic, and an accepted filter has a
// regex or prefixes.
func FuzzReadOptions(f *testing.F) {
	seed, _ := proto.Marshal(&streams.ReadReq{Options: &streams.ReadReq_Options{
		FilterOption: &streams.ReadReq_Options_Filter{Filter: &streams.ReadReq_Options_FilterOptions{
			Filter: &streams.ReadReq_Options_FilterOptions_EventType{EventType: &streams.ReadReq_Options_FilterOptions_Expression{Regex: "^[^$].*"}},
			Window: &streams.ReadReq_Options_FilterOptions_Max{Max: 10}, CheckpointIntervalMultiplier: 3,
		}},
	}})
	f.Add(seed)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var req streams.ReadReq
		if proto.Unmarshal(b, &req) != nil {
			return
		}
		o := req.GetOptions()
		filter, err := filterFromRead(o)
		if err == nil && filter != nil && filter.Regex == "" && len(filter.Prefixes) == 0 {
			t.Fatalf("accepted an empty filter from %v", o)
		}
		_, _ = checkpointInterval(o.GetFilter())
		_ = streamFrom(o.GetStream())
		_ = allFrom(o.GetAll())
		_ = newEventWriter(o.GetUuidOption())
	})
}
