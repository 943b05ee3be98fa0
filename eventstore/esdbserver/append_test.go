package esdbserver_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

func TestAppendThenReadStream(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("order")
	want := jsonEvents("OrderPlaced", 3)
	before := time.Now()
	res, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: client.NoStream{}}, want...)
	if err != nil {
		t.Fatalf("AppendToStream: %v", err)
	}
	if res.NextExpectedVersion != 2 {
		t.Errorf("NextExpectedVersion: got %d, want 2", res.NextExpectedVersion)
	}
	if res.CommitPosition == 0 || res.CommitPosition != res.PreparePosition {
		t.Errorf("position: got C:%d/P:%d, want equal and non-zero", res.CommitPosition, res.PreparePosition)
	}
	got := readStreamEvents(t, f.client, stream, client.ReadStreamOptions{}, 100)
	if len(got) != len(want) {
		t.Fatalf("read %d events, want %d", len(got), len(want))
	}
	for i, ev := range got {
		e := ev.Event
		if e.EventID != want[i].EventID || e.EventType != want[i].EventType || e.StreamID != stream ||
			e.EventNumber != uint64(i) || !bytes.Equal(e.Data, want[i].Data) || !bytes.Equal(e.UserMetadata, want[i].Metadata) ||
			e.ContentType != "application/json" {
			t.Errorf("event %d: got %+v, want %+v at revision %d", i, e, want[i], i)
		}
		if e.CreatedDate.Before(before.Add(-time.Second)) || e.CreatedDate.After(time.Now().Add(time.Second)) {
			t.Errorf("event %d: CreatedDate %v is not around now", i, e.CreatedDate)
		}
	}
	if p := got[2].Event.Position; p.Commit != res.CommitPosition {
		t.Errorf("last event position: got %v, want the append's %d", p, res.CommitPosition)
	}
}

func TestAppendExpectations(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	existing := uniqueStream("existing") // holds revisions 0 and 1
	if _, err := f.client.AppendToStream(ctx, existing, client.AppendToStreamOptions{}, jsonEvents("E", 2)...); err != nil {
		t.Fatalf("setup append: %v", err)
	}
	tests := []struct {
		name     string
		stream   string
		expected client.ExpectedRevision
		wantRev  uint64
		wantErr  string // the client's wrong-expected-version text; "" for success
	}{
		{"NoStreamOnMissing", uniqueStream("missing"), client.NoStream{}, 0, ""},
		{"AnyOnMissing", uniqueStream("missing"), client.Any{}, 0, ""},
		{"StreamExistsOnMissing", uniqueStream("missing"), client.StreamExists{}, 0, "expecting 'stream_exists' but got 'no_stream'"},
		{"ExactOnMissing", uniqueStream("missing"), client.Revision(0), 0, "expecting '0' but got 'no_stream'"},
		{"NoStreamOnExisting", existing, client.NoStream{}, 0, "expecting 'no_stream' but got '1'"},
		{"WrongExactOnExisting", existing, client.Revision(5), 0, "expecting '5' but got '1'"},
		{"ExactOnExisting", existing, client.Revision(1), 2, ""},
		{"StreamExistsOnExisting", existing, client.StreamExists{}, 3, ""},
		{"AnyOnExisting", existing, client.Any{}, 4, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := f.client.AppendToStream(ctx, tc.stream, client.AppendToStreamOptions{ExpectedRevision: tc.expected}, jsonEvents("T", 1)...)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("append: got %v, want success", err)
				}
				if res.NextExpectedVersion != tc.wantRev {
					t.Errorf("NextExpectedVersion: got %d, want %d", res.NextExpectedVersion, tc.wantRev)
				}
				return
			}
			esErr, ok := client.FromError(err)
			if ok || esErr.Code() != client.ErrorCodeWrongExpectedVersion {
				t.Fatalf("append: got %v, want ErrorCodeWrongExpectedVersion", err)
			}
			if !strings.Contains(esErr.Error(), tc.wantErr) {
				t.Errorf("error: got %q, want it to contain %q", esErr.Error(), tc.wantErr)
			}
		})
	}
}

// TestAppendWrongExpectedVersionFields looks at the raw response: the
// current and expected fields (6-11) and the legacy 20.6.0 ones.
func TestAppendWrongExpectedVersionFields(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	raw := rawClient(t, f.addr)
	stream := uniqueStream("wev")
	if _, err := f.client.AppendToStream(ctxT(t), stream, client.AppendToStreamOptions{}, jsonEvents("E", 3)...); err != nil {
		t.Fatalf("setup append: %v", err)
	}
	withExpectation := func(name string, exp any) *streams.AppendReq {
		o := &streams.AppendReq_Options{StreamIdentifier: streamID(name)}
		switch e := exp.(type) {
		case uint64:
			o.ExpectedStreamRevision = &streams.AppendReq_Options_Revision{Revision: e}
		case string:
			o.ExpectedStreamRevision = &streams.AppendReq_Options_StreamExists{StreamExists: &shared.Empty{}}
		default:
			o.ExpectedStreamRevision = &streams.AppendReq_Options_NoStream{NoStream: &shared.Empty{}}
		}
		return &streams.AppendReq{Content: &streams.AppendReq_Options_{Options: o}}
	}
	tests := []struct {
		name string
		req  *streams.AppendReq
		want *streams.AppendResp_WrongExpectedVersion
	}{
		{"Exact", withExpectation(stream, uint64(7)), &streams.AppendResp_WrongExpectedVersion{
			CurrentRevisionOption_20_6_0:  &streams.AppendResp_WrongExpectedVersion_CurrentRevision_20_6_0{CurrentRevision_20_6_0: 2},
			ExpectedRevisionOption_20_6_0: &streams.AppendResp_WrongExpectedVersion_ExpectedRevision_20_6_0{ExpectedRevision_20_6_0: 7},
			CurrentRevisionOption:         &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: 2},
			ExpectedRevisionOption:        &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: 7},
		}},
		{"NoStream", withExpectation(stream, nil), &streams.AppendResp_WrongExpectedVersion{
			CurrentRevisionOption_20_6_0:  &streams.AppendResp_WrongExpectedVersion_CurrentRevision_20_6_0{CurrentRevision_20_6_0: 2},
			ExpectedRevisionOption_20_6_0: &streams.AppendResp_WrongExpectedVersion_ExpectedRevision_20_6_0{ExpectedRevision_20_6_0: ^uint64(0)},
			CurrentRevisionOption:         &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: 2},
			ExpectedRevisionOption:        &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}},
		}},
		{"StreamExistsOnMissing", withExpectation(uniqueStream("missing"), "exists"), &streams.AppendResp_WrongExpectedVersion{
			CurrentRevisionOption_20_6_0:  &streams.AppendResp_WrongExpectedVersion_NoStream_20_6_0{NoStream_20_6_0: &shared.Empty{}},
			ExpectedRevisionOption_20_6_0: &streams.AppendResp_WrongExpectedVersion_StreamExists_20_6_0{StreamExists_20_6_0: &shared.Empty{}},
			CurrentRevisionOption:         &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}},
			ExpectedRevisionOption:        &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _, err := rawAppend(t, raw, tc.req, proposed("T", []byte(`{}`)))
			if err != nil {
				t.Fatalf("append: %v", err)
			}
			if got := resp.GetWrongExpectedVersion(); !proto.Equal(got, tc.want) {
				t.Errorf("wrong_expected_version:\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestAppendZeroEvents(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	raw := rawClient(t, f.addr)
	ctx := ctxT(t)
	existing := uniqueStream("zero")
	if _, err := f.client.AppendToStream(ctx, existing, client.AppendToStreamOptions{}, jsonEvents("E", 2)...); err != nil {
		t.Fatalf("setup append: %v", err)
	}
	resp, _, err := rawAppend(t, raw, appendOptions(existing))
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	if got := resp.GetSuccess(); got.GetCurrentRevision() != 1 || got.GetNoPosition() == nil {
		t.Errorf("zero-event append on a stream at 1: got %v, want current_revision 1 and no_position", got)
	}
	resp, _, err = rawAppend(t, raw, appendOptions(uniqueStream("zero-missing")))
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	if got := resp.GetSuccess(); got.GetNoStream() == nil || got.GetNoPosition() == nil {
		t.Errorf("zero-event append on a missing stream: got %v, want no_stream and no_position", got)
	}
}

// TestAppendStringUUID: the Node client sends event IDs as strings.
func TestAppendStringUUID(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	raw := rawClient(t, f.addr)
	stream := uniqueStream("string-id")
	id := uuid.New()
	msg := proposed("T", []byte(`{}`))
	msg.GetProposedMessage().Id = &shared.UUID{Value: &shared.UUID_String_{String_: id.String()}}
	if _, _, err := rawAppend(t, raw, appendOptions(stream), msg); err != nil {
		t.Fatalf("append: %v", err)
	}
	got := readStreamEvents(t, f.client, stream, client.ReadStreamOptions{}, 10)
	if len(got) != 1 || got[0].Event.EventID != id {
		t.Fatalf("read back: got %d events (first id %v), want id %v", len(got), got, id)
	}
}

func TestAppendOversizeWritesNothing(t *testing.T) {
	const limit = 1000
	f := newFixture(t, esdbserver.Options{MaxAppendSize: limit})
	raw := rawClient(t, f.addr)
	ctx := ctxT(t)
	stream := uniqueStream("big")
	// "T" counts 2 bytes (UTF-16): 4 × (248 + 2) = 1000 fits exactly.
	fits := make([]client.EventData, 4)
	for i := range fits {
		fits[i] = client.EventData{EventType: "T", ContentType: client.ContentTypeBinary, Data: make([]byte, 248)}
	}
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, fits...); err != nil {
		t.Fatalf("append of exactly the limit: %v", err)
	}
	fits[3].Data = make([]byte, 249)
	_, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, fits...)
	if st, _ := status.FromError(errors.Unwrap(err)); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "Maximum Append Size of 1000 Exceeded") {
		t.Fatalf("append one byte over the limit: got %v, want InvalidArgument Maximum Append Size", err)
	}
	// Through the raw client: many messages, the exception trailer.
	msgs := []*streams.AppendReq{appendOptions(stream)}
	for range 20 {
		msgs = append(msgs, proposed("T", make([]byte, 100)))
	}
	_, trailer, err := rawAppend(t, raw, msgs...)
	wantStatus(t, err, trailer, codes.InvalidArgument, "maximum-append-size-exceeded")
	if got := trailer.Get("maximum-append-size"); len(got) != 1 || got[0] != "1000" {
		t.Errorf("maximum-append-size trailer: got %q, want 1000", got)
	}
	if got := readStreamEvents(t, f.client, stream, client.ReadStreamOptions{}, 100); len(got) != 4 {
		t.Errorf("stream holds %d events after rejected appends, want the 4 that fitted", len(got))
	}
}

func TestAppendMalformed(t *testing.T) {
	f := newFixture(t, esdbserver.Options{MaxAppendEventSize: 500})
	raw := rawClient(t, f.addr)
	stream := uniqueStream("malformed")
	noType := proposed("T", nil)
	delete(noType.GetProposedMessage().Metadata, "type")
	noContentType := proposed("T", nil)
	delete(noContentType.GetProposedMessage().Metadata, "content-type")
	badID := proposed("T", nil)
	badID.GetProposedMessage().Id = &shared.UUID{Value: &shared.UUID_String_{String_: "not-a-uuid"}}
	noID := proposed("T", nil)
	noID.GetProposedMessage().Id = nil
	noExpectation := appendOptions(stream)
	noExpectation.GetOptions().ExpectedStreamRevision = nil
	noName := appendOptions("")
	tests := []struct {
		name      string
		msgs      []*streams.AppendReq
		exception string
	}{
		{"MissingType", []*streams.AppendReq{appendOptions(stream), proposed("T", nil), noType}, "missing-required-metadata-property"},
		{"MissingContentType", []*streams.AppendReq{appendOptions(stream), noContentType}, "missing-required-metadata-property"},
		{"EventTooLarge", []*streams.AppendReq{appendOptions(stream), proposed("T", make([]byte, 600))}, "maximum-append-event-size-exceeded"},
		{"NoOptions", []*streams.AppendReq{proposed("T", nil)}, ""},
		{"NoMessages", nil, ""},
		{"OptionsTwice", []*streams.AppendReq{appendOptions(stream), appendOptions(stream)}, ""},
		{"NoExpectation", []*streams.AppendReq{noExpectation, proposed("T", nil)}, ""},
		{"NoStreamName", []*streams.AppendReq{noName, proposed("T", nil)}, ""},
		{"BadStringID", []*streams.AppendReq{appendOptions(stream), badID}, ""},
		{"NoID", []*streams.AppendReq{appendOptions(stream), noID}, ""},
		{"EmptyType", []*streams.AppendReq{appendOptions(stream), proposed("", nil)}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, trailer, err := rawAppend(t, raw, tc.msgs...)
			wantStatus(t, err, trailer, codes.InvalidArgument, tc.exception)
		})
	}
	rs, err := f.client.ReadStream(ctxT(t), stream, client.ReadStreamOptions{}, 10)
	if err == nil {
		_, err = rs.Recv()
		rs.Close()
	}
	if esErr, _ := client.FromError(err); esErr == nil || esErr.Code() != client.ErrorCodeResourceNotFound {
		t.Errorf("stream after malformed appends: got %v, want not found (nothing written)", err)
	}
}

// TestAppendDefaultLimit: with the default 1 MiB limit, the official client's
// oversize append fails and writes nothing, and one just under it succeeds.
func TestAppendDefaultLimit(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("default-limit")
	event := func(size int) client.EventData {
		return client.EventData{EventType: "Big", ContentType: client.ContentTypeBinary, Data: make([]byte, size)}
	}
	_, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, event(600_000), event(600_000))
	if st, _ := status.FromError(errors.Unwrap(err)); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "Maximum Append Size of 1048576 Exceeded") {
		t.Fatalf("1.2 MB append: got %v, want InvalidArgument Maximum Append Size of 1048576", err)
	}
	if err := firstRecv(t, f.client, stream); err == nil {
		t.Fatalf("stream exists after a rejected append")
	}
	// 2 × (524,000 + 6) bytes: under 1 MiB.
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, event(524_000), event(524_000)); err != nil {
		t.Fatalf("append under the limit: %v", err)
	}
}
