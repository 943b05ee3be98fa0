package esdbserver

import (
	"encoding/binary"
	"fmt"
	"strconv"
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
func parseUUID(id *shared.UUID) (uuid.UUID, error) {
	switch v := id.GetValue().(type) {
	case *shared.UUID_Structured_:
		var u uuid.UUID
		binary.BigEndian.PutUint64(u[:8], uint64(v.Structured.GetMostSignificantBits()))
		binary.BigEndian.PutUint64(u[8:], uint64(v.Structured.GetLeastSignificantBits()))
		return u, nil
	case *shared.UUID_String_:
		u, err := uuid.Parse(v.String_)
		if err != nil {
			return uuid.Nil, fmt.Errorf("event id %q: %w", v.String_, err)
		}
		return u, nil
	}
	return uuid.Nil, fmt.Errorf("event id missing")
}

// uuidWriter fills a protocol UUID in the form a read asked for, reusing
// the messages between events.
type uuidWriter struct {
	asString   bool
	msg        shared.UUID
	structured shared.UUID_Structured_
	str        shared.UUID_String_
}

func newUUIDWriter(opt *streams.ReadReq_Options_UUIDOption) *uuidWriter {
	w := &uuidWriter{}
	_, w.asString = opt.GetContent().(*streams.ReadReq_Options_UUIDOption_String_)
	w.structured.Structured = &shared.UUID_Structured{}
	return w
}

func (w *uuidWriter) write(id uuid.UUID) *shared.UUID {
	if w.asString {
		w.str.String_ = id.String()
		w.msg.Value = &w.str
		return &w.msg
	}
	w.structured.Structured.MostSignificantBits = int64(binary.BigEndian.Uint64(id[:8]))
	w.structured.Structured.LeastSignificantBits = int64(binary.BigEndian.Uint64(id[8:]))
	w.msg.Value = &w.structured
	return &w.msg
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

// eventWriter turns recorded events into ReadResp messages. It reuses one
// message between calls: gRPC serialises a message before Send returns, so
// only the fields change from one event to the next.
type eventWriter struct {
	ids      *uuidWriter
	resp     streams.ReadResp
	content  streams.ReadResp_Event
	read     streams.ReadResp_ReadEvent
	commit   streams.ReadResp_ReadEvent_CommitPosition
	recorded streams.ReadResp_ReadEvent_RecordedEvent
	streamID shared.StreamIdentifier
	stream   string
	meta     map[string]string
}

func newEventWriter(opt *streams.ReadReq_Options_UUIDOption) *eventWriter {
	w := &eventWriter{ids: newUUIDWriter(opt), meta: make(map[string]string, 3)}
	w.resp.Content = &w.content
	w.content.Event = &w.read
	w.read.Event = &w.recorded
	w.read.Position = &w.commit
	w.recorded.StreamIdentifier = &w.streamID
	w.recorded.Metadata = w.meta
	return w
}

// message returns the ReadResp for e, valid until the next call.
func (w *eventWriter) message(e *eventstore.RecordedEvent) *streams.ReadResp {
	if w.streamID.StreamName == nil || e.Stream != w.stream {
		w.stream = e.Stream
		w.streamID.StreamName = []byte(e.Stream)
	}
	r := &w.recorded
	r.Id = w.ids.write(e.ID)
	r.StreamRevision = e.Revision
	r.CommitPosition = e.Position.Commit
	r.PreparePosition = e.Position.Prepare
	r.Data = e.Data
	r.CustomMetadata = e.Metadata
	ct := e.ContentType
	if ct == "" {
		ct = eventstore.ContentTypeJSON
	}
	w.meta[metaType] = e.Type
	w.meta[metaContentType] = ct
	w.meta[metaCreated] = strconv.FormatInt(dotnetTicks(e.Created), 10)
	w.commit.CommitPosition = e.Position.Commit
	return &w.resp
}
