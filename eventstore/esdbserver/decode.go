package esdbserver

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Appends carry one gRPC message per event, so decoding AppendReq is the
// hottest path of a write. decodeAppend reads the common shapes of the
// options and proposed messages by hand, with no protobuf structs and no
// map, into just what the server uses; anything else (repeated or unknown
// fields, bad UTF-8, ...) is left to proto.Unmarshal, so the result is
// always what protobuf decoding gives (decode_internal_test.go checks it
// differentially, and fuzzes it).
//
//	AppendReq        { 1: Options options | 2: ProposedMessage proposed_message }
//	Options          { 1: StreamIdentifier{3: bytes name};
//	                   2: uint64 revision | 3: Empty no_stream | 4: Empty any |
//	                   5: Empty stream_exists }
//	ProposedMessage  { 1: UUID id; 2: map<string,string> metadata;
//	                   3: bytes custom_metadata; 4: bytes data }
//	UUID             { 1: Structured{1: int64 msb; 2: int64 lsb} | 2: string }

// appendMessage is one decoded message of an Append call: exactly one of
// options and proposed is set, or neither for a message with no content.
// They point into the message itself, which RecvMsg reuses for every
// message of a call.
type appendMessage struct {
	options  *appendOptions
	proposed *proposedMessage

	optionsBuf  appendOptions
	proposedBuf proposedMessage
}

// appendOptions is the part of an Append's options message the server uses.
type appendOptions struct {
	stream   string
	expected eventstore.ExpectedRevision // nil when absent
}

// proposedMessage is the part of a proposed event the server uses.
type proposedMessage struct {
	id                      eventID
	eventType               string
	hasType, hasContentType bool
	isJSON                  bool   // content-type is exactly application/json
	data, metadata          []byte // owned (copied out of the gRPC buffer)
}

// eventID is a proposed event's id as sent, before it is checked.
type eventID struct {
	form       idForm
	structured uuid.UUID // for idStructured
	text       string    // for idString
}

// idForm says which form of the protocol's UUID was sent.
type idForm uint8

const (
	idMissing idForm = iota
	idStructured
	idString
)

// setOptions makes m an options message.
func (m *appendMessage) setOptions(o appendOptions) {
	*m = appendMessage{optionsBuf: o}
	m.options = &m.optionsBuf
}

// setProposed makes m a proposed message.
func (m *appendMessage) setProposed(p proposedMessage) {
	*m = appendMessage{proposedBuf: p}
	m.proposed = &m.proposedBuf
}

// decodeAppend decodes b into m.
func decodeAppend(b []byte, m *appendMessage) error {
	if p, ok := decodeProposedFast(b); ok {
		m.setProposed(p)
		return nil
	}
	if o, ok := decodeOptionsFast(b); ok {
		m.setOptions(o)
		return nil
	}
	var req streams.AppendReq
	if err := proto.Unmarshal(b, &req); err != nil {
		return err
	}
	*m = appendMessage{}
	if o := req.GetOptions(); o != nil {
		m.setOptions(optionsFromProto(o))
	}
	if pm := req.GetProposedMessage(); pm != nil {
		m.setProposed(proposedFromProto(pm))
	}
	return nil
}

// optionsFromProto converts an options message protobuf decoded.
func optionsFromProto(o *streams.AppendReq_Options) appendOptions {
	expected, _ := expectedFromAppend(o)
	return appendOptions{stream: string(o.GetStreamIdentifier().GetStreamName()), expected: expected}
}

// proposedFromProto converts a message protobuf decoded.
func proposedFromProto(pm *streams.AppendReq_ProposedMessage) proposedMessage {
	p := proposedMessage{id: eventIDFromProto(pm.GetId()), data: pm.GetData(), metadata: pm.GetCustomMetadata()}
	p.eventType, p.hasType = pm.GetMetadata()[metaType]
	var contentType string
	contentType, p.hasContentType = pm.GetMetadata()[metaContentType]
	p.isJSON = contentType == eventstore.ContentTypeJSON
	return p
}

// decodeOptionsFast decodes an AppendReq holding one options message with
// each field at most once, at most one expectation, and empty Empty
// messages; ok is false for anything else.
func decodeOptionsFast(b []byte) (appendOptions, bool) {
	body, ok := soleField(b, 1)
	if !ok {
		return appendOptions{}, false
	}
	var o appendOptions
	var seenStream bool
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 {
			return appendOptions{}, false
		}
		body = body[n:]
		switch {
		case num == 2 && typ == protowire.VarintType && o.expected == nil:
			v, m := protowire.ConsumeVarint(body)
			if m < 0 {
				return appendOptions{}, false
			}
			body = body[m:]
			o.expected = eventstore.Exact(v)
		case typ != protowire.BytesType:
			return appendOptions{}, false
		default:
			v, m := protowire.ConsumeBytes(body)
			if m < 0 {
				return appendOptions{}, false
			}
			body = body[m:]
			switch {
			case num == 1 && !seenStream:
				name, ok := soleField(v, 3)
				if !ok {
					return appendOptions{}, false
				}
				o.stream, seenStream = string(name), true
			case num >= 3 && num <= 5 && o.expected == nil && len(v) == 0:
				o.expected = [...]eventstore.ExpectedRevision{eventstore.NoStream{}, eventstore.Any{}, eventstore.StreamExists{}}[num-3]
			default:
				return appendOptions{}, false
			}
		}
	}
	return o, true
}

// soleField returns the value of b's only field when that is field num of
// the bytes (length-delimited) type.
func soleField(b []byte, num protowire.Number) ([]byte, bool) {
	got, typ, n := protowire.ConsumeTag(b)
	if n < 0 || got != num || typ != protowire.BytesType {
		return nil, false
	}
	v, m := protowire.ConsumeBytes(b[n:])
	if m < 0 || n+m != len(b) {
		return nil, false
	}
	return v, true
}

// decodeProposedFast decodes an AppendReq holding one proposed_message with
// each field at most once (map entries excepted); ok is false for anything
// else.
func decodeProposedFast(b []byte) (proposedMessage, bool) {
	body, ok := soleField(b, 2)
	if !ok {
		return proposedMessage{}, false
	}
	var p proposedMessage
	var data, meta []byte
	var seenID, seenData, seenMeta bool
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 || typ != protowire.BytesType {
			return proposedMessage{}, false
		}
		v, m := protowire.ConsumeBytes(body[n:])
		if m < 0 {
			return proposedMessage{}, false
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
			return proposedMessage{}, false
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
		p.hasContentType, p.isJSON = true, string(value) == eventstore.ContentTypeJSON
	}
	return true
}

// decodeUUIDFast decodes a UUID holding exactly one of its forms, each
// field at most once.
func decodeUUIDFast(b []byte) (eventID, bool) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 || typ != protowire.BytesType {
		return eventID{}, false
	}
	v, m := protowire.ConsumeBytes(b[n:])
	if m < 0 || n+m != len(b) {
		return eventID{}, false
	}
	switch num {
	case 2:
		if !utf8.Valid(v) {
			return eventID{}, false
		}
		return eventID{form: idString, text: string(v)}, true
	case 1:
		var bits [3]uint64 // [1]: most, [2]: least significant
		var seen [3]bool
		for len(v) > 0 {
			num, typ, n := protowire.ConsumeTag(v)
			if n < 0 || typ != protowire.VarintType || (num != 1 && num != 2) || seen[num] {
				return eventID{}, false
			}
			x, m := protowire.ConsumeVarint(v[n:])
			if m < 0 {
				return eventID{}, false
			}
			seen[num], bits[num] = true, x
			v = v[n+m:]
		}
		id := eventID{form: idStructured}
		binary.BigEndian.PutUint64(id.structured[:8], bits[1])
		binary.BigEndian.PutUint64(id.structured[8:], bits[2])
		return id, true
	}
	return eventID{}, false
}
