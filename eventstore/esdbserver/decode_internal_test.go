package esdbserver

import (
	"bytes"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// appendSeeds are encoded AppendReq messages of every shape clients send,
// and some they do not.
func appendSeeds(t testing.TB) [][]byte {
	msgs := []*streams.AppendReq{
		{Content: &streams.AppendReq_ProposedMessage_{ProposedMessage: &streams.AppendReq_ProposedMessage{
			Id:       structuredUUID(uuid.MustParse("38fffbc2-339e-11ea-8c7b-784f43837872")),
			Metadata: map[string]string{"type": "SignatureAdded", "content-type": "application/json"},
			Data:     []byte(`{"a":1}`), CustomMetadata: []byte(`{"m":1}`),
		}}},
		{Content: &streams.AppendReq_ProposedMessage_{ProposedMessage: &streams.AppendReq_ProposedMessage{
			Id:       &shared.UUID{Value: &shared.UUID_String_{String_: uuid.NewString()}},
			Metadata: map[string]string{"type": "T", "content-type": "application/octet-stream", "extra": "x"},
		}}},
		{Content: &streams.AppendReq_ProposedMessage_{ProposedMessage: &streams.AppendReq_ProposedMessage{}}},
		{Content: &streams.AppendReq_Options_{Options: &streams.AppendReq_Options{
			StreamIdentifier:       &shared.StreamIdentifier{StreamName: []byte("s")},
			ExpectedStreamRevision: &streams.AppendReq_Options_Revision{Revision: 3},
		}}},
		{Content: &streams.AppendReq_Options_{Options: &streams.AppendReq_Options{
			StreamIdentifier:       &shared.StreamIdentifier{StreamName: []byte("petition-7")},
			ExpectedStreamRevision: &streams.AppendReq_Options_Any{Any: &shared.Empty{}},
		}}},
		{Content: &streams.AppendReq_Options_{Options: &streams.AppendReq_Options{
			StreamIdentifier:       &shared.StreamIdentifier{StreamName: []byte("s")},
			ExpectedStreamRevision: &streams.AppendReq_Options_NoStream{NoStream: &shared.Empty{}},
		}}},
		{Content: &streams.AppendReq_Options_{Options: &streams.AppendReq_Options{
			StreamIdentifier:       &shared.StreamIdentifier{StreamName: []byte("s")},
			ExpectedStreamRevision: &streams.AppendReq_Options_StreamExists{StreamExists: &shared.Empty{}},
		}}},
		{Content: &streams.AppendReq_Options_{Options: &streams.AppendReq_Options{
			StreamIdentifier:       &shared.StreamIdentifier{StreamName: []byte("s")},
			ExpectedStreamRevision: &streams.AppendReq_Options_Revision{Revision: 0},
		}}},
		{Content: &streams.AppendReq_Options_{Options: &streams.AppendReq_Options{}}},
		{Content: &streams.AppendReq_Options_{Options: &streams.AppendReq_Options{
			StreamIdentifier: &shared.StreamIdentifier{},
		}}},
		{},
	}
	var out [][]byte
	for _, m := range msgs {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	// A later map entry overrides an earlier one; an unknown field.
	entry := func(k, v string) []byte {
		e := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), k)
		e = protowire.AppendString(protowire.AppendTag(e, 2, protowire.BytesType), v)
		return protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), e)
	}
	body := append(entry("type", "First"), entry("type", "Second")...)
	body = append(body, entry("content-type", "application/json")...)
	out = append(out, protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), body))
	withUnknown := protowire.AppendVarint(protowire.AppendTag(append([]byte{}, body...), 9, protowire.VarintType), 1)
	out = append(out, protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), withUnknown))
	// Options whose later expectation overrides an earlier one, a repeated
	// stream identifier (protobuf merges it), an Empty with content.
	stream := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType),
		protowire.AppendString(protowire.AppendTag(nil, 3, protowire.BytesType), "s"))
	empty := func(num protowire.Number, content []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), content)
	}
	revision := protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 9)
	for _, o := range [][]byte{
		append(append(append([]byte{}, stream...), empty(4, nil)...), revision...),
		append(append(append([]byte{}, stream...), revision...), empty(3, nil)...),
		append(append([]byte{}, stream...), stream...),
		append(append([]byte{}, stream...), empty(5, []byte{0x08, 0x01})...),
	} {
		out = append(out, protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), o))
	}
	return out
}

// checkDecodeAppend compares decodeAppend with proto.Unmarshal on b.
func checkDecodeAppend(t *testing.T, b []byte) {
	t.Helper()
	var req streams.AppendReq
	protoErr := proto.Unmarshal(b, &req)
	var got appendMessage
	err := decodeAppend(b, &got)
	if (err != nil) != (protoErr != nil) {
		t.Fatalf("decodeAppend error %v, proto.Unmarshal error %v", err, protoErr)
	}
	if err != nil {
		return
	}
	if o := req.GetOptions(); (got.options == nil) != (o == nil) {
		t.Fatalf("options: got %+v, want %v", got.options, o)
	} else if o != nil {
		wantExpected, _ := expectedFromAppend(o)
		if got.options.stream != string(o.GetStreamIdentifier().GetStreamName()) || got.options.expected != wantExpected {
			t.Fatalf("options: got %+v, want %v", *got.options, o)
		}
	}
	pm := req.GetProposedMessage()
	if (got.proposed == nil) != (pm == nil) {
		t.Fatalf("proposed: got %+v, want %v", got.proposed, pm)
	}
	if pm == nil {
		return
	}
	p := got.proposed
	wantType, hasType := pm.GetMetadata()["type"]
	wantCT, hasCT := pm.GetMetadata()["content-type"]
	if p.id != eventIDFromProto(pm.GetId()) || p.eventType != wantType || p.hasType != hasType ||
		p.isJSON != (wantCT == "application/json") || p.hasContentType != hasCT ||
		!bytes.Equal(p.data, pm.GetData()) || !bytes.Equal(p.metadata, pm.GetCustomMetadata()) {
		t.Fatalf("proposed: got %+v, want %v", p, pm)
	}
}

func TestDecodeAppendMatchesProtobuf(t *testing.T) {
	for _, b := range appendSeeds(t) {
		checkDecodeAppend(t, b)
	}
	// The official clients' shapes take the fast paths.
	for i, b := range appendSeeds(t)[:3] {
		if _, ok := decodeProposedFast(b); !ok {
			t.Errorf("seed %d: the fast path refused a client's proposed message", i)
		}
	}
	for i, b := range appendSeeds(t)[3:8] {
		if _, ok := decodeOptionsFast(b); !ok {
			t.Errorf("seed %d: the fast path refused a client's options message", i+3)
		}
	}
}

func FuzzDecodeAppend(f *testing.F) {
	for _, b := range appendSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkDecodeAppend(t, b) })
}
