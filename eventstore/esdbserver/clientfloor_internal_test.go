package esdbserver

import (
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	"github.com/petitionledger/petitionledger/eventstore"
)

// BenchmarkClientDecodeFloor measures the least work any EventStoreDB
// client built on the generated protobuf code (the official Go client is)
// must do for each event of a read, whatever the server: unmarshal one
// ReadResp message, exactly as this server encodes it, with
// proto.Unmarshal — what grpc-go's proto codec calls for every message
// Recv returns. It leaves out all transport work (HTTP/2 frames, flow
// control, syscalls, the goroutine hand-off) and the client's own
// conversion to esdb.ResolvedEvent, so it is a lower bound on the
// client's CPU per event.
//
// It reports ns/event and the ceiling it implies for one reader (a read
// is one stream whose messages Recv decodes one after another on one
// goroutine) and for two cores entirely given to the client.
func BenchmarkClientDecodeFloor(b *testing.B) {
	e := &eventstore.RecordedEvent{
		ID: uuid.New(), Stream: "bench-batch-3", Revision: 12345, Type: "SignatureAdded",
		ContentType: eventstore.ContentTypeJSON,
		Data:        []byte(`{"petition":123456,"constituency":"E14000639","country":"GB","hash":"6f1ed002ab5595859014ebf0951522d9"}`),
		Position:    eventstore.Position{Commit: 123456789, Prepare: 123456789},
		Created:     time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC),
	}
	msg := (&eventMessage{e: e}).encode(mem.DefaultBufferPool()).Materialize()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var resp streams.ReadResp
		if err := proto.Unmarshal(msg, &resp); err != nil {
			b.Fatal(err)
		}
	}
	perEvent := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perEvent*1e9, "ns/event")
	b.ReportMetric(1/perEvent, "max-events/s-one-reader")
	b.ReportMetric(2/perEvent, "max-events/s-two-cores")
}
