package esdbserver

import (
	"bytes"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	"github.com/petitionledger/petitionledger/eventstore"
)

// wantReadResp is the oracle: the event as generated protobuf structs.
func wantReadResp(e *eventstore.RecordedEvent, asString bool) *streams.ReadResp {
	id := structuredUUID(e.ID)
	if asString {
		id = &shared.UUID{Value: &shared.UUID_String_{String_: e.ID.String()}}
	}
	ct := e.ContentType
	if ct == "" {
		ct = eventstore.ContentTypeJSON
	}
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: &streams.ReadResp_ReadEvent{
		Event: &streams.ReadResp_ReadEvent_RecordedEvent{
			Id:               id,
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(e.Stream)},
			StreamRevision:   e.Revision,
			PreparePosition:  e.Position.Prepare,
			CommitPosition:   e.Position.Commit,
			Metadata: map[string]string{
				"type": e.Type, "content-type": ct,
				"created": strconv.FormatInt(e.Created.UnixNano()/100, 10),
			},
			CustomMetadata: e.Metadata,
			Data:           e.Data,
		},
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: e.Position.Commit},
	}}}
}

// checkEncoding encodes e by hand and compares it with the generated code:
// the decoded message must be equal, and the bytes equal to deterministic
// proto.Marshal.
func checkEncoding(t *testing.T, e *eventstore.RecordedEvent, asString bool) {
	t.Helper()
	m := &eventMessage{e: e, asString: asString}
	got := m.encode(mem.DefaultBufferPool()).Materialize()
	want := wantReadResp(e, asString)
	var decoded streams.ReadResp
	if err := proto.Unmarshal(got, &decoded); err != nil {
		t.Fatalf("decode hand-encoded event %+v: %v", e, err)
	}
	if !proto.Equal(&decoded, want) {
		t.Fatalf("hand-encoded event decodes to\n %v\nwant\n %v", &decoded, want)
	}
	wantBytes, err := proto.MarshalOptions{Deterministic: true}.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wantBytes) {
		t.Fatalf("bytes differ from proto.Marshal:\n got %x\nwant %x", got, wantBytes)
	}
}

func TestEventEncodingMatchesProtobuf(t *testing.T) {
	created := time.Date(2026, 11, 23, 20, 0, 0, 123456700, time.UTC)
	tests := []struct {
		name string
		e    eventstore.RecordedEvent
	}{
		{"Typical", eventstore.RecordedEvent{Stream: "petition-1", Revision: 7, Position: eventstore.Position{Commit: 4096, Prepare: 4096},
			ID: uuid.MustParse("38fffbc2-339e-11ea-8c7b-784f43837872"), Type: "SignatureAdded", ContentType: "application/json",
			Data: []byte(`{"a":1}`), Metadata: []byte(`{"m":2}`), Created: created}},
		{"Zeros", eventstore.RecordedEvent{Stream: "s", Type: "T", Created: time.Unix(0, 0)}},
		{"EmptyContentTypeIsJSON", eventstore.RecordedEvent{Stream: "s", Type: "T", ID: uuid.New(), Created: created}},
		{"Binary", eventstore.RecordedEvent{Stream: "$$s", Type: "$metadata", ContentType: "application/octet-stream",
			ID: uuid.New(), Data: []byte{0, 1, 2}, Created: created}},
		{"HighBits", eventstore.RecordedEvent{Stream: "s", Type: "T", Revision: 1<<63 + 5,
			Position: eventstore.Position{Commit: 1<<64 - 1, Prepare: 1 << 40},
			ID:       uuid.MustParse("ffffffff-ffff-ffff-ffff-ffffffffffff"), Created: created}},
		{"HalfZeroID", eventstore.RecordedEvent{Stream: "s", Type: "T", ID: uuid.MustParse("00000000-0000-0000-8c7b-784f43837872"), Created: created}},
		{"UnicodeAndLarge", eventstore.RecordedEvent{Stream: "pétition-😀", Type: "Signé", ID: uuid.New(),
			Data: bytes.Repeat([]byte("x"), 100_000), Created: created}},
		{"BeforeEpoch", eventstore.RecordedEvent{Stream: "s", Type: "T", ID: uuid.New(), Created: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tc := range tests {
		for _, asString := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "/Structured", true: "/String"}[asString], func(t *testing.T) {
				checkEncoding(t, &tc.e, asString)
			})
		}
	}
}

func FuzzEventEncoding(f *testing.F) {
	f.Add("stream", "Type", "application/json", uint64(3), uint64(100), uint64(90), []byte("{}"), []byte(nil), int64(1_700_000_000_000_000_000), []byte("0123456789abcdef"), false)
	f.Add("", "", "", uint64(0), uint64(0), uint64(0), []byte(nil), []byte(nil), int64(0), []byte{}, true)
	f.Fuzz(func(t *testing.T, stream, typ, ct string, rev, commit, prepare uint64, data, meta []byte, nanos int64, id []byte, asString bool) {
		if !utf8.ValidString(typ) || !utf8.ValidString(ct) {
			return // proto3 strings are UTF-8; the Store's types come from valid appends
		}
		var u uuid.UUID
		copy(u[:], id)
		e := eventstore.RecordedEvent{Stream: stream, Type: typ, ContentType: ct, Revision: rev,
			Position: eventstore.Position{Commit: commit, Prepare: prepare}, ID: u, Data: data, Metadata: meta,
			Created: time.Unix(0, nanos)}
		checkEncoding(t, &e, asString)
	})
}
