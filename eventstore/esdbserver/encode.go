package esdbserver

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Reads and subscriptions send one message per event, so their encoding is
// the server's hottest path. eventMessage encodes ReadResp{event} by hand,
// straight from the Store's RecordedEvent, with no intermediate protobuf
// structs; codec passes it through and leaves every other message to the
// protobuf codec. The bytes are those proto.Marshal would produce for the
// equivalent streams.ReadResp (encode_internal_test.go checks it).
//
//	ReadResp        { 1: ReadEvent event }
//	ReadEvent       { 1: RecordedEvent event; 3: uint64 commit_position }
//	RecordedEvent   { 1: UUID id; 2: StreamIdentifier{3: bytes name};
//	                  3: uint64 stream_revision; 4: uint64 prepare_position;
//	                  5: uint64 commit_position; 6: map<string,string> metadata;
//	                  7: bytes custom_metadata; 8: bytes data }
//	UUID            { 1: Structured{1: int64 msb; 2: int64 lsb} | 2: string }

// eventMessage is one event to encode as a ReadResp. Send it with SendMsg.
type eventMessage struct {
	e        *eventstore.RecordedEvent
	asString bool // the UUID in string form
}

// Sizes of the parts of an encoded event.
type eventSizes struct {
	id, uuid, stream, meta, recorded, read, total int
	created                                       []byte
	contentType                                   string
}

func (m *eventMessage) sizes(scratch []byte) eventSizes {
	e := m.e
	var s eventSizes
	if m.asString {
		s.uuid = protowire.SizeTag(2) + protowire.SizeBytes(36)
	} else {
		msb, lsb := binary.BigEndian.Uint64(e.ID[:8]), binary.BigEndian.Uint64(e.ID[8:])
		inner := 0
		if msb != 0 {
			inner += protowire.SizeTag(1) + protowire.SizeVarint(msb)
		}
		if lsb != 0 {
			inner += protowire.SizeTag(2) + protowire.SizeVarint(lsb)
		}
		s.id = inner
		s.uuid = protowire.SizeTag(1) + protowire.SizeBytes(inner)
	}
	if len(e.Stream) > 0 {
		s.stream = protowire.SizeTag(3) + protowire.SizeBytes(len(e.Stream))
	}
	s.created = strconv.AppendInt(scratch[:0], dotnetTicks(e.Created), 10)
	s.contentType = e.ContentType
	if s.contentType == "" {
		s.contentType = eventstore.ContentTypeJSON
	}
	s.meta = mapEntrySize(metaType, len(e.Type)) + mapEntrySize(metaCreated, len(s.created)) +
		mapEntrySize(metaContentType, len(s.contentType))
	r := protowire.SizeTag(1) + protowire.SizeBytes(s.uuid) +
		protowire.SizeTag(2) + protowire.SizeBytes(s.stream) + s.meta
	r += varintFieldSize(3, e.Revision) + varintFieldSize(4, e.Position.Prepare) + varintFieldSize(5, e.Position.Commit)
	if len(e.Metadata) > 0 {
		r += protowire.SizeTag(7) + protowire.SizeBytes(len(e.Metadata))
	}
	if len(e.Data) > 0 {
		r += protowire.SizeTag(8) + protowire.SizeBytes(len(e.Data))
	}
	s.recorded = r
	s.read = protowire.SizeTag(1) + protowire.SizeBytes(r) + protowire.SizeTag(3) + protowire.SizeVarint(e.Position.Commit)
	s.total = protowire.SizeTag(1) + protowire.SizeBytes(s.read)
	return s
}

// varintFieldSize is the size of a proto3 scalar field: nothing when zero.
func varintFieldSize(num protowire.Number, v uint64) int {
	if v == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeVarint(v)
}

// mapEntrySize is the size of one map<string,string> entry of field 6.
func mapEntrySize(key string, valueLen int) int {
	entry := protowire.SizeTag(1) + protowire.SizeBytes(len(key)) + protowire.SizeTag(2) + protowire.SizeBytes(valueLen)
	return protowire.SizeTag(6) + protowire.SizeBytes(entry)
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

func appendMapEntry[V string | []byte](b []byte, key string, value V) []byte {
	entry := protowire.SizeTag(1) + protowire.SizeBytes(len(key)) + protowire.SizeTag(2) + protowire.SizeBytes(len(value))
	b = protowire.AppendVarint(protowire.AppendTag(b, 6, protowire.BytesType), uint64(entry))
	b = protowire.AppendString(protowire.AppendTag(b, 1, protowire.BytesType), key)
	b = protowire.AppendVarint(protowire.AppendTag(b, 2, protowire.BytesType), uint64(len(value)))
	return append(b, value...)
}

// appendTo appends the encoded ReadResp to b.
func (m *eventMessage) appendTo(b []byte, s eventSizes) []byte {
	e := m.e
	b = protowire.AppendVarint(protowire.AppendTag(b, 1, protowire.BytesType), uint64(s.read))
	b = protowire.AppendVarint(protowire.AppendTag(b, 1, protowire.BytesType), uint64(s.recorded))
	// 1: id
	b = protowire.AppendVarint(protowire.AppendTag(b, 1, protowire.BytesType), uint64(s.uuid))
	if m.asString {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendVarint(b, 36)
		var text [36]byte
		b = append(b, uuidText(&text, e.ID)...)
	} else {
		b = protowire.AppendVarint(protowire.AppendTag(b, 1, protowire.BytesType), uint64(s.id))
		b = appendVarintField(b, 1, binary.BigEndian.Uint64(e.ID[:8]))
		b = appendVarintField(b, 2, binary.BigEndian.Uint64(e.ID[8:]))
	}
	// 2: stream_identifier
	b = protowire.AppendVarint(protowire.AppendTag(b, 2, protowire.BytesType), uint64(s.stream))
	if len(e.Stream) > 0 {
		b = protowire.AppendString(protowire.AppendTag(b, 3, protowire.BytesType), e.Stream)
	}
	b = appendVarintField(b, 3, e.Revision)
	b = appendVarintField(b, 4, e.Position.Prepare)
	b = appendVarintField(b, 5, e.Position.Commit)
	// 6: metadata, in a fixed order
	b = appendMapEntry(b, metaContentType, s.contentType)
	b = appendMapEntry(b, metaCreated, s.created)
	b = appendMapEntry(b, metaType, e.Type)
	if len(e.Metadata) > 0 {
		b = protowire.AppendBytes(protowire.AppendTag(b, 7, protowire.BytesType), e.Metadata)
	}
	if len(e.Data) > 0 {
		b = protowire.AppendBytes(protowire.AppendTag(b, 8, protowire.BytesType), e.Data)
	}
	// ReadEvent 3: commit_position (a oneof member: written even when 0)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	return protowire.AppendVarint(b, e.Position.Commit)
}

// encode returns the message's bytes in a buffer from pool, which gRPC
// frees once written.
func (m *eventMessage) encode(pool mem.BufferPool) mem.BufferSlice {
	var scratch [20]byte
	s := m.sizes(scratch[:])
	if mem.IsBelowBufferPoolingThreshold(s.total) {
		return mem.BufferSlice{mem.SliceBuffer(m.appendTo(make([]byte, 0, s.total), s))}
	}
	buf := pool.Get(s.total)
	*buf = m.appendTo((*buf)[:0], s)
	return mem.BufferSlice{mem.NewBuffer(buf, pool)}
}

// codec is the server's gRPC codec: eventMessage is sent as encoded,
// appendMessage is decoded by decodeAppend, every other message goes
// through the protobuf codec.
type codec struct {
	proto encoding.CodecV2
	pool  mem.BufferPool
}

func newCodec() *codec {
	return &codec{proto: encoding.GetCodecV2("proto"), pool: mem.DefaultBufferPool()}
}

func (c *codec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(*eventMessage); ok {
		return m.encode(c.pool), nil
	}
	return c.proto.Marshal(v)
}

func (c *codec) Unmarshal(data mem.BufferSlice, v any) error {
	if m, ok := v.(*appendMessage); ok {
		var err error
		if len(data) == 1 {
			err = decodeAppend(data[0].ReadOnlyData(), m)
		} else {
			buf := data.MaterializeToBuffer(c.pool)
			err = decodeAppend(buf.ReadOnlyData(), m)
			buf.Free()
		}
		if err != nil {
			return fmt.Errorf("esdbserver: decode append message: %w", err)
		}
		return nil
	}
	if err := c.proto.Unmarshal(data, v); err != nil {
		return fmt.Errorf("esdbserver: decode %T: %w", v, err)
	}
	return nil
}

func (c *codec) Name() string { return "proto" }

// uuidText writes id's canonical text form into text, without allocating.
func uuidText(text *[36]byte, id [16]byte) []byte {
	const hexDigits = "0123456789abcdef"
	j := 0
	for i, c := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			text[j] = '-'
			j++
		}
		text[j], text[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
	return text[:]
}
