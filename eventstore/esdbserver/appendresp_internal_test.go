package esdbserver

import (
	"bytes"
	"math"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/protobuf/proto"

	"github.com/petitionledger/petitionledger/eventstore"
)

// appendSuccessProto is m as the generated protobuf message.
func appendSuccessProto(m appendSuccess) *streams.AppendResp {
	s := &streams.AppendResp_Success{}
	if m.noStream {
		s.CurrentRevisionOption = &streams.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
	} else {
		s.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: m.revision}
	}
	if m.hasPosition {
		s.PositionOption = &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
			CommitPosition: m.position.Commit, PreparePosition: m.position.Prepare}}
	} else {
		s.PositionOption = &streams.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}
	}
	return &streams.AppendResp{Result: &streams.AppendResp_Success_{Success: s}}
}

func TestAppendSuccessMatchesProtobuf(t *testing.T) {
	tests := []struct {
		name string
		in   appendSuccess
	}{
		{"FirstEvent", appendSuccess{revision: 0, position: eventstore.Position{}, hasPosition: true}},
		{"Written", appendSuccess{revision: 41, position: eventstore.Position{Commit: 123456, Prepare: 123456}, hasPosition: true}},
		{"CommitOnly", appendSuccess{revision: 1, position: eventstore.Position{Commit: 7}, hasPosition: true}},
		{"Largest", appendSuccess{revision: math.MaxUint64, position: eventstore.Position{Commit: math.MaxUint64, Prepare: math.MaxUint64}, hasPosition: true}},
		{"UnchangedStream", appendSuccess{revision: 5}},
		{"UnchangedNoStream", appendSuccess{noStream: true}},
		{"UnchangedRevisionZero", appendSuccess{}},
	}
	c := serverCodec{newCodec()}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, err := proto.Marshal(appendSuccessProto(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			data, err := c.Marshal(&tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := data.Materialize(); !bytes.Equal(got, want) {
				t.Errorf("encoded\n got %x\nwant %x", got, want)
			}
			if len(want) > appendSuccessMaxSize {
				t.Errorf("%d bytes, more than appendSuccessMaxSize", len(want))
			}
			// Decoded by the generated code, as clients do.
			var back streams.AppendResp
			if err := c.Unmarshal(data, &back); err != nil || !proto.Equal(&back, appendSuccessProto(tc.in)) {
				t.Errorf("decoded %v, %v; want %v", &back, err, appendSuccessProto(tc.in))
			}
		})
	}
	// Other messages still go through protobuf.
	wrong := wrongExpectedResponse(eventstore.Any{}, eventstore.CurrentRevision{Revision: 3})
	data, err := c.Marshal(wrong)
	want, _ := proto.Marshal(wrong)
	if err != nil || !bytes.Equal(data.Materialize(), want) {
		t.Errorf("wrong expected version answer: got %x, %v; want %x", data.Materialize(), err, want)
	}
}
