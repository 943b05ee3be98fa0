package esdbserver

import (
	"unicode/utf8"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// Appends carry one gRPC message per event, so decoding AppendReq is the
// hottest path of a write. decodeAppend reads the common shape of a
// proposed message by hand, with no protobuf structs and no map; anything
// else (the options message, repeated or unknown fields, bad UTF-8, ...) is
// left to proto.Unmarshal, so the result is always what protobuf decoding
// gives (decode_internal_test.go checks it differentially).
//
//	AppendReq        { 1: Options options | 2: ProposedMessage proposed_message }
//	ProposedMessage  { 1: UUID id; 2: map<string,string> metadata;
//	                   3: bytes custom_metadata; 4: bytes data }
//	UUID             { 1: Structured{1: int64 msb; 2: int64 lsb} | 2: string }

// appendMessage is one decoded message of an Append call: exactly one of
// options and proposed is set, or neither for a message with no content.
type appendMessage struct {
	options  *streams.AppendReq_Options
	proposed *proposedMessage
}

// proposedMessage is the part of a proposed event the server uses.
type proposedMessage struct {
	id                      *shared.UUID // nil when absent
	eventType, contentType  string
	hasType, hasContentType bool
	data, metadata          []byte // owned (copied out of the gRPC buffer)
}

// decodeAppend decodes b into m.
func decodeAppend(b []byte, m *appendMessage) error {
	if p, ok := decodeProposedFast(b); ok {
		*m = appendMessage{proposed: p}
		return nil
	}
	var req streams.AppendReq
	if err := proto.Unmarshal(b, &req); err != nil {
		return err
	}
	*m = appendMessage{options: req.GetOptions()}
	if pm := req.GetProposedMessage(); pm != nil {
		m.proposed = proposedFromProto(pm)
	}
	return nil
}

// proposedFromProto converts a message protobuf decoded.
func proposedFromProto(pm *streams.AppendReq_ProposedMessage) *proposedMessage {
	p := &proposedMessage{id: pm.GetId(), data: pm.GetData(), metadata: pm.GetCustomMetadata()}
	p.eventType, p.hasType = pm.GetMetadata()[metaType]
	p.contentType, p.hasContentType = pm.GetMetadata()[metaContentType]
	return p
}

// decodeProposedFast decodes an AppendReq holding one proposed_message with
// each field at most once (map entries excepted); ok is false for anything
// else.
func decodeProposedFast(b []byte) (*proposedMessage, bool) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 || num != 2 || typ != protowire.BytesType {
		return nil, false
	}
	body, m := protowire.ConsumeBytes(b[n:])
	if m < 0 || n+m != len(b) {
		return nil, false
	}
	p := &proposedMessage{}
	var data, meta []byte
	var seenID, seenData, seenMeta bool
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 || typ != protowire.BytesType {
			return nil, false
		}
		v, m := protowire.ConsumeBytes(body[n:])
		if m < 0 {
			return nil, false
		}
		body = body[n+m:]
		var ok bool
		switch num {
		case 1:
			p.id, ok = decodeUUIDFast(v)
			ok = ok && !seenID
			seenID = true
		case 2:
			ok = p.addMetadataEntry(v)
		case 3:
			meta, ok = v, !seenMeta
			seenMeta = true
		case 4:
			data, ok = v, !seenData
			seenData = true
		}
		if !ok {
			return nil, false
		}
	}
	// One allocation for both byte fields; protobuf decodes absent or
	// empty bytes fields as nil.
	buf := make([]byte, len(data)+len(meta))
	if len(data) > 0 {
		p.data = buf[:len(data):len(data)]
		copy(p.data, data)
	}
	if len(meta) > 0 {
		p.metadata = buf[len(data):]
		copy(p.metadata, meta)
	}
	return p, true
}

// addMetadataEntry decodes one map entry; a later entry for the same key
// wins, as in protobuf.
func (p *proposedMessage) addMetadataEntry(entry []byte) bool {
	var key, value []byte
	var seenKey, seenValue bool
	for len(entry) > 0 {
		num, typ, n := protowire.ConsumeTag(entry)
		if n < 0 || typ != protowire.BytesType || (num != 1 && num != 2) {
			return false
		}
		v, m := protowire.ConsumeBytes(entry[n:])
		if m < 0 || !utf8.Valid(v) {
			return false
		}
		entry = entry[n+m:]
		if num == 1 {
			if seenKey {
				return false
			}
			key, seenKey = v, true
		} else {
			if seenValue {
				return false
			}
			value, seenValue = v, true
		}
	}
	switch string(key) {
	case metaType:
		p.eventType, p.hasType = string(value), true
	case metaContentType:
		p.contentType, p.hasContentType = string(value), true
	}
	return true
}

// decodeUUIDFast decodes a UUID holding exactly one of its forms, each
// field at most once.
func decodeUUIDFast(b []byte) (*shared.UUID, bool) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 || typ != protowire.BytesType {
		return nil, false
	}
	v, m := protowire.ConsumeBytes(b[n:])
	if m < 0 || n+m != len(b) {
		return nil, false
	}
	switch num {
	case 2:
		if !utf8.Valid(v) {
			return nil, false
		}
		return &shared.UUID{Value: &shared.UUID_String_{String_: string(v)}}, true
	case 1:
		s := &shared.UUID_Structured{}
		var seen [3]bool
		for len(v) > 0 {
			num, typ, n := protowire.ConsumeTag(v)
			if n < 0 || typ != protowire.VarintType || (num != 1 && num != 2) || seen[num] {
				return nil, false
			}
			x, m := protowire.ConsumeVarint(v[n:])
			if m < 0 {
				return nil, false
			}
			seen[num] = true
			v = v[n+m:]
			if num == 1 {
				s.MostSignificantBits = int64(x)
			} else {
				s.LeastSignificantBits = int64(x)
			}
		}
		return &shared.UUID{Value: &shared.UUID_Structured_{Structured: s}}, true
	}
	return nil, false
}
