package esdbserver_test

import (
	"errors"
	"io"
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// revisions lists the stream revisions of events.
func revisions(events []*client.ResolvedEvent) []uint64 {
	out := make([]uint64, len(events))
	for i, e := range events {
		out[i] = e.Event.EventNumber
	}
	return out
}

func equalUints(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func seq(from, to uint64) []uint64 { // inclusive, either direction
	var out []uint64
	if from <= to {
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
		return out
	}
	for i := from; ; i-- {
		out = append(out, i)
		if i == to {
			return out
		}
	}
}

func TestReadStream(t *testing.T) {
	// A small page size makes the server page through the Store.
	f := newFixture(t, esdbserver.Options{ReadBatchSize: 3})
	stream := uniqueStream("read")
	if _, err := f.client.AppendToStream(ctxT(t), stream, client.AppendToStreamOptions{}, jsonEvents("E", 10)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	tests := []struct {
		name  string
		opts  client.ReadStreamOptions
		count uint64
		want  []uint64
	}{
		{"ForwardsAll", client.ReadStreamOptions{}, 100, seq(0, 9)},
		{"ForwardsCount", client.ReadStreamOptions{}, 4, seq(0, 3)},
		{"ForwardsFromRevisionInclusive", client.ReadStreamOptions{From: client.Revision(5)}, 100, seq(5, 9)},
		{"ForwardsFromRevisionCount", client.ReadStreamOptions{From: client.Revision(2)}, 7, seq(2, 8)},
		{"ForwardsPastEnd", client.ReadStreamOptions{From: client.Revision(10)}, 100, nil},
		{"ForwardsFromEnd", client.ReadStreamOptions{From: client.End{}}, 100, nil},
		{"BackwardsFromEnd", client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, 100, seq(9, 0)},
		{"BackwardsCount", client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, 5, seq(9, 5)},
		{"BackwardsFromRevisionInclusive", client.ReadStreamOptions{Direction: client.Backwards, From: client.Revision(4)}, 100, seq(4, 0)},
		{"BackwardsOne", client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, 1, []uint64{9}},
		{"ZeroCount", client.ReadStreamOptions{}, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := revisions(readStreamEvents(t, f.client, stream, tc.opts, tc.count))
			if !equalUints(got, tc.want) {
				t.Errorf("revisions: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReadStreamNotFound(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	for _, count := range []uint64{0, 1, 100} {
		rs, err := f.client.ReadStream(ctxT(t), uniqueStream("nothing"), client.ReadStreamOptions{}, count)
		if err != nil {
			t.Fatalf("ReadStream: %v", err)
		}
		_, err = rs.Recv()
		rs.Close()
		if esErr, _ := client.FromError(err); esErr == nil || esErr.Code() != client.ErrorCodeResourceNotFound {
			t.Errorf("count %d: got %v, want ErrorCodeResourceNotFound", count, err)
		}
	}
}

func TestReadAll(t *testing.T) {
	f := newFixture(t, esdbserver.Options{ReadBatchSize: 4})
	ctx := ctxT(t)
	var written []client.Position
	for i := range 5 {
		for _, s := range []string{"a", "b"} {
			res, err := f.client.AppendToStream(ctx, s+"-stream", client.AppendToStreamOptions{}, jsonEvents("E", 1)...)
			if err != nil {
				t.Fatalf("append %d: %v", i, err)
			}
			written = append(written, client.Position{Commit: res.CommitPosition, Prepare: res.PreparePosition})
		}
	}
	idx := func(from, to int) []client.Position { // inclusive, either direction
		var out []client.Position
		for _, i := range seq(uint64(from), uint64(to)) {
			out = append(out, written[i])
		}
		return out
	}
	tests := []struct {
		name  string
		opts  client.ReadAllOptions
		count uint64
		want  []client.Position
	}{
		{"ForwardsAll", client.ReadAllOptions{}, 100, idx(0, 9)},
		{"ForwardsCount", client.ReadAllOptions{}, 6, idx(0, 5)},
		{"ForwardsFromPositionInclusive", client.ReadAllOptions{From: written[3]}, 100, idx(3, 9)},
		{"ForwardsFromPositionCount", client.ReadAllOptions{From: written[3]}, 5, idx(3, 7)},
		{"ForwardsFromEnd", client.ReadAllOptions{From: client.End{}}, 100, nil},
		{"BackwardsFromEnd", client.ReadAllOptions{Direction: client.Backwards, From: client.End{}}, 100, idx(9, 0)},
		{"BackwardsCount", client.ReadAllOptions{Direction: client.Backwards, From: client.End{}}, 5, idx(9, 5)},
		{"BackwardsFromPositionExclusive", client.ReadAllOptions{Direction: client.Backwards, From: written[6]}, 100, idx(5, 0)},
		{"BackwardsFromStart", client.ReadAllOptions{Direction: client.Backwards, From: client.Start{}}, 100, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events := readAllEvents(t, f.client, tc.opts, tc.count)
			var got []client.Position
			for _, e := range events {
				got = append(got, e.OriginalEvent().Position)
				if e.Commit == nil || *e.Commit != e.OriginalEvent().Position.Commit {
					t.Errorf("event at %v: ReadEvent.commit_position %v, want the event's commit position", e.OriginalEvent().Position, e.Commit)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("positions: got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("positions: got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// rawRead runs one read and returns its messages, status and trailers.
func rawRead(t testing.TB, c streams.StreamsClient, req *streams.ReadReq) ([]*streams.ReadResp, metadata.MD, error) {
	t.Helper()
	var trailer metadata.MD
	call, err := c.Read(ctxT(t), req, grpc.Trailer(&trailer))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	var out []*streams.ReadResp
	for {
		m, err := call.Recv()
		if errors.Is(err, io.EOF) {
			return out, trailer, nil
		}
		if err != nil {
			return out, trailer, err
		}
		out = append(out, m)
	}
}

// readAllReq is a forwards $all read of count events from the start.
func readAllReq(count uint64) *streams.ReadReq {
	return &streams.ReadReq{Options: &streams.ReadReq_Options{
		StreamOption: &streams.ReadReq_Options_All{All: &streams.ReadReq_Options_AllOptions{
			AllOption: &streams.ReadReq_Options_AllOptions_Start{Start: &shared.Empty{}},
		}},
		CountOption:  &streams.ReadReq_Options_Count{Count: count},
		FilterOption: &streams.ReadReq_Options_NoFilter{NoFilter: &shared.Empty{}},
		UuidOption:   &streams.ReadReq_Options_UUIDOption{Content: &streams.ReadReq_Options_UUIDOption_Structured{Structured: &shared.Empty{}}},
	}}
}

func TestReadUUIDOption(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	raw := rawClient(t, f.addr)
	events := jsonEvents("E", 1)
	if _, err := f.client.AppendToStream(ctxT(t), uniqueStream("uuid"), client.AppendToStreamOptions{}, events...); err != nil {
		t.Fatalf("append: %v", err)
	}
	id := events[0].EventID
	structured := readAllReq(10)
	asString := readAllReq(10)
	asString.Options.UuidOption.Content = &streams.ReadReq_Options_UUIDOption_String_{String_: &shared.Empty{}}
	absent := readAllReq(10)
	absent.Options.UuidOption = nil
	tests := []struct {
		name string
		req  *streams.ReadReq
		want *shared.UUID
	}{
		{"Structured", structured, structuredID(id)},
		{"String", asString, &shared.UUID{Value: &shared.UUID_String_{String_: id.String()}}},
		{"AbsentMeansStructured", absent, structuredID(id)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msgs, _, err := rawRead(t, raw, tc.req)
			if err != nil || len(msgs) != 1 {
				t.Fatalf("read: %d messages, %v; want 1 event", len(msgs), err)
			}
			got := msgs[0].GetEvent().GetEvent()
			if got.GetId().String() != tc.want.String() {
				t.Errorf("id: got %v, want %v", got.GetId(), tc.want)
			}
			md := got.GetMetadata()
			if md["type"] != "E" || md["content-type"] != "application/json" || md["created"] == "" || len(md) != 3 {
				t.Errorf("metadata: got %v, want type, content-type and created", md)
			}
		})
	}
}

func TestReadFilteredAll(t *testing.T) {
	f := newFixture(t, esdbserver.Options{ReadBatchSize: 2})
	raw := rawClient(t, f.addr)
	ctx := ctxT(t)
	for _, s := range []string{"keep-1", "drop-1", "keep-2", "drop-2", "keep-3"} {
		if _, err := f.client.AppendToStream(ctx, s, client.AppendToStreamOptions{}, jsonEvents("E", 1)...); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	req := readAllReq(100)
	req.Options.FilterOption = &streams.ReadReq_Options_Filter{Filter: &streams.ReadReq_Options_FilterOptions{
		Filter: &streams.ReadReq_Options_FilterOptions_StreamIdentifier{StreamIdentifier: &streams.ReadReq_Options_FilterOptions_Expression{Prefix: []string{"keep-"}}},
		Window: &streams.ReadReq_Options_FilterOptions_Count{Count: &shared.Empty{}}, CheckpointIntervalMultiplier: 1,
	}}
	msgs, _, err := rawRead(t, raw, req)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, string(m.GetEvent().GetEvent().GetStreamIdentifier().GetStreamName()))
	}
	want := []string{"keep-1", "keep-2", "keep-3"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("streams: got %v, want %v", got, want)
	}
}

func TestReadMalformed(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	raw := rawClient(t, f.addr)
	mutate := func(change func(o *streams.ReadReq_Options)) *streams.ReadReq {
		r := readAllReq(10)
		change(r.Options)
		return r
	}
	streamFilter := func(e *streams.ReadReq_Options_FilterOptions_Expression, mult uint32) *streams.ReadReq_Options_Filter {
		return &streams.ReadReq_Options_Filter{Filter: &streams.ReadReq_Options_FilterOptions{
			Filter: &streams.ReadReq_Options_FilterOptions_StreamIdentifier{StreamIdentifier: e},
			Window: &streams.ReadReq_Options_FilterOptions_Count{Count: &shared.Empty{}}, CheckpointIntervalMultiplier: mult,
		}}
	}
	subscription := &streams.ReadReq_Options_Subscription{Subscription: &streams.ReadReq_Options_SubscriptionOptions{}}
	tests := []struct {
		name string
		req  *streams.ReadReq
	}{
		{"NoOptions", &streams.ReadReq{}},
		{"NoStreamOption", mutate(func(o *streams.ReadReq_Options) { o.StreamOption = nil })},
		{"NoCountOption", mutate(func(o *streams.ReadReq_Options) { o.CountOption = nil })},
		{"EmptyStreamName", mutate(func(o *streams.ReadReq_Options) {
			o.StreamOption = &streams.ReadReq_Options_Stream{Stream: &streams.ReadReq_Options_StreamOptions{StreamIdentifier: streamID("")}}
		})},
		{"FilteredStreamRead", mutate(func(o *streams.ReadReq_Options) {
			o.StreamOption = &streams.ReadReq_Options_Stream{Stream: &streams.ReadReq_Options_StreamOptions{StreamIdentifier: streamID("s")}}
			o.FilterOption = streamFilter(&streams.ReadReq_Options_FilterOptions_Expression{Prefix: []string{"a"}}, 1)
		})},
		{"FilterWithoutExpression", mutate(func(o *streams.ReadReq_Options) {
			o.FilterOption = streamFilter(&streams.ReadReq_Options_FilterOptions_Expression{}, 1)
		})},
		{"FilterBadRegex", mutate(func(o *streams.ReadReq_Options) {
			o.FilterOption = streamFilter(&streams.ReadReq_Options_FilterOptions_Expression{Regex: "("}, 1)
		})},
		{"ZeroCheckpointMultiplier", mutate(func(o *streams.ReadReq_Options) {
			o.CountOption = subscription
			o.FilterOption = streamFilter(&streams.ReadReq_Options_FilterOptions_Expression{Prefix: []string{"a"}}, 0)
		})},
		{"BackwardsSubscription", mutate(func(o *streams.ReadReq_Options) {
			o.CountOption = subscription
			o.ReadDirection = streams.ReadReq_Options_Backwards
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msgs, trailer, err := rawRead(t, raw, tc.req)
			wantStatus(t, err, trailer, codes.InvalidArgument, "")
			if len(msgs) != 0 {
				t.Errorf("got %d messages before the error, want none", len(msgs))
			}
		})
	}
}
