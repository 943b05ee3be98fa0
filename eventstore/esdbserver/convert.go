package esdbserver

import (
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf16"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Keys of an event's system metadata map (Constants.Metadata).
const (
	metaType        = "type"
	metaContentType = "content-type"
	metaCreated     = "created"
)

// parseUUID decodes a protocol UUID in either form: structured (the most and
// least significant 8 bytes, big-endian, as signed integers; the Go client
// sends this) or string (the Node client sends this).
func parseUUID(id *shared.UUID) (uuid.UUID, error) { return eventIDFromProto(id).parse() }

// eventIDFromProto is id as protobuf decoded it.
func eventIDFromProto(id *shared.UUID) eventID {
	switch v := id.GetValue().(type) {
	case *shared.UUID_Structured_:
		out := eventID{form: idStructured}
		binary.BigEndian.PutUint64(out.structured[:8], uint64(v.Structured.GetMostSignificantBits()))
		binary.BigEndian.PutUint64(out.structured[8:], uint64(v.Structured.GetLeastSignificantBits()))
		return out
	case *shared.UUID_String_:
		return eventID{form: idString, text: v.String_}
	}
	return eventID{}
}

// parse checks the id.
func (id eventID) parse() (uuid.UUID, error) {
	switch id.form {
	case idStructured:
		return id.structured, nil
	case idString:
		u, err := uuid.Parse(id.text)
		if err != nil {
			return uuid.Nil, fmt.Errorf("event id %q: %w", id.text, err)
		}
		return u, nil
	}
	return uuid.Nil, fmt.Errorf("event id missing")
}

// structuredUUID is id in the protocol's structured form.
func structuredUUID(id uuid.UUID) *shared.UUID {
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits:  int64(binary.BigEndian.Uint64(id[:8])),
		LeastSignificantBits: int64(binary.BigEndian.Uint64(id[8:])),
	}}}
}

// dotnetTicks is t as .NET ticks (100 ns) since the Unix epoch, the unit of
// the "created" metadata the clients parse.
func dotnetTicks(t time.Time) int64 { return t.UnixNano() / 100 }

// eventSize counts one proposed event the way EventStoreDB's
// Event.SizeOnDisk does: data + metadata + 2 bytes per UTF-16 code unit of
// the type.
func eventSize(eventType string, data, metadata []byte) int {
	units := 0
	for _, r := range eventType {
		units += utf16.RuneLen(r)
	}
	return len(data) + len(metadata) + 2*units
}

// expectedFromAppend converts an Append's expectation.
func expectedFromAppend(o *streams.AppendReq_Options) (eventstore.ExpectedRevision, bool) {
	switch v := o.GetExpectedStreamRevision().(type) {
	case *streams.AppendReq_Options_Revision:
		return eventstore.Exact(v.Revision), true
	case *streams.AppendReq_Options_NoStream:
		return eventstore.NoStream{}, true
	case *streams.AppendReq_Options_Any:
		return eventstore.Any{}, true
	case *streams.AppendReq_Options_StreamExists:
		return eventstore.StreamExists{}, true
	}
	return nil, false
}

// expectedFromDelete converts a Delete's expectation.
func expectedFromDelete(o *streams.DeleteReq_Options) (eventstore.ExpectedRevision, bool) {
	switch v := o.GetExpectedStreamRevision().(type) {
	case *streams.DeleteReq_Options_Revision:
		return eventstore.Exact(v.Revision), true
	case *streams.DeleteReq_Options_NoStream:
		return eventstore.NoStream{}, true
	case *streams.DeleteReq_Options_Any:
		return eventstore.Any{}, true
	case *streams.DeleteReq_Options_StreamExists:
		return eventstore.StreamExists{}, true
	}
	return nil, false
}

// expectedFromTombstone converts a Tombstone's expectation.
func expectedFromTombstone(o *streams.TombstoneReq_Options) (eventstore.ExpectedRevision, bool) {
	switch v := o.GetExpectedStreamRevision().(type) {
	case *streams.TombstoneReq_Options_Revision:
		return eventstore.Exact(v.Revision), true
	case *streams.TombstoneReq_Options_NoStream:
		return eventstore.NoStream{}, true
	case *streams.TombstoneReq_Options_Any:
		return eventstore.Any{}, true
	case *streams.TombstoneReq_Options_StreamExists:
		return eventstore.StreamExists{}, true
	}
	return nil, false
}

// dotnetExpectedVersion is an expectation as the .NET long the server puts
// in its "expected-version" trailer (AnyStreamRevision: NoStream -1,
// Any -2, StreamExists -4).
func dotnetExpectedVersion(e eventstore.ExpectedRevision) int64 {
	switch v := e.(type) {
	case eventstore.NoStream:
		return -1
	case eventstore.Any:
		return -2
	case eventstore.StreamExists:
		return -4
	case eventstore.Exact:
		return int64(v)
	}
	return -2
}

// dotnetCurrentVersion is a stream's state as a .NET long: -1 when it does
// not exist.
func dotnetCurrentVersion(c eventstore.CurrentRevision) int64 {
	if c.NoStream {
		return -1
	}
	return int64(c.Revision)
}

// wrongExpectedResponse builds an Append's wrong_expected_version answer,
// with both the current fields (6-11) and the legacy 20.6.0 fields, as
// Streams.Append.cs does.
func wrongExpectedResponse(expected eventstore.ExpectedRevision, actual eventstore.CurrentRevision) *streams.AppendResp {
	w := &streams.AppendResp_WrongExpectedVersion{}
	switch v := expected.(type) {
	case eventstore.Any:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_Any_20_6_0{Any_20_6_0: &shared.Empty{}}
	case eventstore.StreamExists:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_StreamExists_20_6_0{StreamExists_20_6_0: &shared.Empty{}}
	case eventstore.NoStream:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision_20_6_0{ExpectedRevision_20_6_0: ^uint64(0)}
	case eventstore.Exact:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: uint64(v)}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision_20_6_0{ExpectedRevision_20_6_0: uint64(v)}
	}
	if actual.NoStream {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		w.CurrentRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_NoStream_20_6_0{NoStream_20_6_0: &shared.Empty{}}
	} else {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: actual.Revision}
		w.CurrentRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_CurrentRevision_20_6_0{CurrentRevision_20_6_0: actual.Revision}
	}
	return &streams.AppendResp{Result: &streams.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}}
}

// eventWriter turns recorded events into messages for SendMsg, in the UUID
// form the read asked for (structured when it did not say). It reuses one
// message: gRPC encodes it before SendMsg returns.
type eventWriter struct {
	msg eventMessage
}

func newEventWriter(opt *streams.ReadReq_Options_UUIDOption) *eventWriter {
	_, asString := opt.GetContent().(*streams.ReadReq_Options_UUIDOption_String_)
	return &eventWriter{msg: eventMessage{asString: asString}}
}

// message returns the message for e, valid until the next call.
func (w *eventWriter) message(e *eventstore.RecordedEvent) *eventMessage {
	w.msg.e = e
	return &w.msg
}
