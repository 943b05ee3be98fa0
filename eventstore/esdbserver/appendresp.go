package esdbserver

import (
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Every Append ends with one answer, so the success answer is encoded by
// hand (no protobuf structs, no reflection); the bytes are those
// proto.Marshal gives for the equivalent streams.AppendResp
// (appendresp_internal_test.go checks it). The rare wrong_expected_version
// answer stays a protobuf message.
//
//	AppendResp { 1: Success success }
//	Success    { 1: uint64 current_revision | 2: Empty no_stream;
//	             3: Position position | 4: Empty no_position }
//	Position   { 1: uint64 commit_position; 2: uint64 prepare_position }

// appendSuccess is an Append's success answer. Send it with SendMsg.
type appendSuccess struct {
	revision    uint64 // current_revision, unless noStream
	noStream    bool
	position    eventstore.Position // position, if hasPosition (else no_position)
	hasPosition bool
}

// appendSuccessMaxSize bounds the encoded answer: tags, lengths and three
// varints of at most 10 bytes.
const appendSuccessMaxSize = 48

// appendTo appends the encoded AppendResp to b.
func (m *appendSuccess) appendTo(b []byte) []byte {
	var body [appendSuccessMaxSize]byte
	success := body[:0]
	if m.noStream {
		success = protowire.AppendBytes(protowire.AppendTag(success, 2, protowire.BytesType), nil)
	} else {
		// A oneof member: written even when 0.
		success = protowire.AppendVarint(protowire.AppendTag(success, 1, protowire.VarintType), m.revision)
	}
	if m.hasPosition {
		var pos [2 * 11]byte
		p := varintField(pos[:0], 1, m.position.Commit)
		p = varintField(p, 2, m.position.Prepare)
		success = protowire.AppendBytes(protowire.AppendTag(success, 3, protowire.BytesType), p)
	} else {
		success = protowire.AppendBytes(protowire.AppendTag(success, 4, protowire.BytesType), nil)
	}
	return protowire.AppendBytes(protowire.AppendTag(b, 1, protowire.BytesType), success)
}

// varintField appends field num unless v is 0 (proto3 scalars are omitted
// when zero).
func varintField(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

// serverCodec is the server's gRPC codec: the package codec, plus the
// hand-encoded Append answer.
type serverCodec struct{ *codec }

func (c serverCodec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(*appendSuccess); ok {
		return mem.BufferSlice{mem.SliceBuffer(m.appendTo(make([]byte, 0, appendSuccessMaxSize)))}, nil
	}
	return c.codec.Marshal(v)
}
