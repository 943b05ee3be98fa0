package esdbserver_test

import (
	"errors"
	"strings"
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// wantClientCode checks the official client's error code.
func wantClientCode(t testing.TB, err error, code client.ErrorCode) *client.Error {
	t.Helper()
	esErr, ok := client.FromError(err)
	if ok || esErr.Code() != code {
		t.Fatalf("got %v, want client error code %d", err, code)
	}
	return esErr
}

// firstRecv opens a stream read and returns the error of its first Recv.
func firstRecv(t testing.TB, c *client.Client, stream string) error {
	t.Helper()
	rs, err := c.ReadStream(ctxT(t), stream, client.ReadStreamOptions{}, 10)
	if err != nil {
		return err
	}
	defer rs.Close()
	_, err = rs.Recv()
	return err
}

func TestDeleteThenAppendRevives(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("soft")
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("E", 2)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	res, err := f.client.DeleteStream(ctx, stream, client.DeleteStreamOptions{ExpectedRevision: client.Revision(1)})
	if err != nil {
		t.Fatalf("DeleteStream: %v", err)
	}
	if res.Position.Commit == 0 || res.Position.Prepare == 0 {
		t.Errorf("delete position: got %v, want non-zero commit and prepare", res.Position)
	}
	wantClientCode(t, firstRecv(t, f.client, stream), client.ErrorCodeResourceNotFound)
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("Again", 1)...); err != nil {
		t.Fatalf("append after delete: %v", err)
	}
	got := readStreamEvents(t, f.client, stream, client.ReadStreamOptions{}, 10)
	if len(got) != 1 || got[0].Event.EventNumber != 2 || got[0].Event.EventType != "Again" {
		t.Errorf("after revival: got %d events (%v), want one event Again at revision 2", len(got), revisions(got))
	}
}

func TestTombstone(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("hard")
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("E", 2)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	sub, err := f.client.SubscribeToStream(ctx, stream, client.SubscribeToStreamOptions{From: client.Start{}})
	if err != nil {
		t.Fatalf("SubscribeToStream: %v", err)
	}
	defer sub.Close()
	res, err := f.client.TombstoneStream(ctx, stream, client.TombstoneStreamOptions{ExpectedRevision: client.StreamExists{}})
	if err != nil {
		t.Fatalf("TombstoneStream: %v", err)
	}
	if res.Position.Commit == 0 || res.Position.Prepare == 0 {
		t.Errorf("tombstone position: got %v, want non-zero commit and prepare", res.Position)
	}
	t.Run("ReadIsStreamDeleted", func(t *testing.T) {
		esErr := wantClientCode(t, firstRecv(t, f.client, stream), client.ErrorCodeStreamDeleted)
		if !strings.Contains(esErr.Error(), stream) {
			t.Errorf("error %q does not name the stream %q", esErr.Error(), stream)
		}
	})
	t.Run("AppendIsStreamDeleted", func(t *testing.T) {
		_, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("E", 1)...)
		wantClientCode(t, err, client.ErrorCodeStreamDeleted)
	})
	t.Run("DeleteIsStreamDeleted", func(t *testing.T) {
		_, err := f.client.DeleteStream(ctx, stream, client.DeleteStreamOptions{})
		wantClientCode(t, errors.Unwrap(err), client.ErrorCodeStreamDeleted)
	})
	t.Run("SubscriptionEndsWithStreamDeleted", func(t *testing.T) {
		for range 2 {
			if m := recvSub(t, sub); m.kind != "event" {
				t.Fatalf("got %+v, want the two events", m)
			}
		}
		var dropped *client.SubscriptionDropped
		for dropped == nil {
			m := sub.Recv()
			dropped = m.SubscriptionDropped
		}
		if st, _ := status.FromError(dropped.Error); st.Code() != codes.FailedPrecondition || !strings.Contains(st.Message(), "is deleted") {
			t.Errorf("subscription dropped with %v, want FailedPrecondition stream deleted", dropped.Error)
		}
	})
	t.Run("NewSubscriptionIsStreamDeleted", func(t *testing.T) {
		var trailer metadata.MD
		call, err := rawClient(t, f.addr).Read(ctx, &streams.ReadReq{Options: &streams.ReadReq_Options{
			StreamOption: &streams.ReadReq_Options_Stream{Stream: &streams.ReadReq_Options_StreamOptions{
				StreamIdentifier: streamID(stream), RevisionOption: &streams.ReadReq_Options_StreamOptions_Start{Start: &shared.Empty{}},
			}},
			CountOption: &streams.ReadReq_Options_Subscription{Subscription: &streams.ReadReq_Options_SubscriptionOptions{}},
		}}, grpc.Trailer(&trailer))
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		first, err := call.Recv()
		if err != nil || first.GetConfirmation() == nil {
			t.Fatalf("first message: got %v, %v; want a confirmation", first, err)
		}
		for err == nil {
			_, err = call.Recv()
		}
		wantStatus(t, err, trailer, codes.FailedPrecondition, "stream-deleted")
		if got := trailer.Get("stream-name"); len(got) != 1 || got[0] != stream {
			t.Errorf("stream-name trailer: got %q, want %q", got, stream)
		}
	})
}

func TestDeleteWrongExpectedVersion(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	raw := rawClient(t, f.addr)
	ctx := ctxT(t)
	stream := uniqueStream("wev-delete")
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("E", 3)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	missing := uniqueStream("wev-missing")
	tests := []struct {
		name       string
		call       func(opts grpc.CallOption) error
		stream     string
		wantExp    string
		wantActual string
	}{
		{"DeleteExact", func(o grpc.CallOption) error {
			_, err := raw.Delete(ctx, &streams.DeleteReq{Options: &streams.DeleteReq_Options{StreamIdentifier: streamID(stream),
				ExpectedStreamRevision: &streams.DeleteReq_Options_Revision{Revision: 7}}}, o)
			return err
		}, stream, "7", "2"},
		{"TombstoneExactOnMissing", func(o grpc.CallOption) error {
			_, err := raw.Tombstone(ctx, &streams.TombstoneReq{Options: &streams.TombstoneReq_Options{StreamIdentifier: streamID(missing),
				ExpectedStreamRevision: &streams.TombstoneReq_Options_Revision{Revision: 1}}}, o)
			return err
		}, missing, "1", "-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var trailer metadata.MD
			err := tc.call(grpc.Trailer(&trailer))
			wantStatus(t, err, trailer, codes.FailedPrecondition, "wrong-expected-version")
			for key, want := range map[string]string{"stream-name": tc.stream, "expected-version": tc.wantExp, "actual-version": tc.wantActual} {
				if got := trailer.Get(key); len(got) != 1 || got[0] != want {
					t.Errorf("trailer %s: got %q, want %q", key, got, want)
				}
			}
			wantMsg := "Delete failed due to WrongExpectedVersion. Stream: " + tc.stream + ", Expected version: " + tc.wantExp + ", Actual version: " + tc.wantActual
			if got := status.Convert(err).Message(); got != wantMsg {
				t.Errorf("message: got %q, want %q", got, wantMsg)
			}
		})
	}
	// Nothing was deleted.
	if got := readStreamEvents(t, f.client, stream, client.ReadStreamOptions{}, 10); len(got) != 3 {
		t.Errorf("stream holds %d events after failed deletes, want 3", len(got))
	}
}

func TestDeleteMalformed(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	raw := rawClient(t, f.addr)
	ctx := ctxT(t)
	tests := []struct {
		name string
		call func() error
	}{
		{"DeleteNoOptions", func() error { _, err := raw.Delete(ctx, &streams.DeleteReq{}); return err }},
		{"DeleteNoExpectation", func() error {
			_, err := raw.Delete(ctx, &streams.DeleteReq{Options: &streams.DeleteReq_Options{StreamIdentifier: streamID("s")}})
			return err
		}},
		{"TombstoneNoOptions", func() error { _, err := raw.Tombstone(ctx, &streams.TombstoneReq{}); return err }},
		{"TombstoneNoExpectation", func() error {
			_, err := raw.Tombstone(ctx, &streams.TombstoneReq{Options: &streams.TombstoneReq_Options{StreamIdentifier: streamID("s")}})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, tc.call(), nil, codes.InvalidArgument, "")
		})
	}
}

func TestStreamMetadata(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	ctx := ctxT(t)
	stream := uniqueStream("meta")
	if _, err := f.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvents("E", 5)...); err != nil {
		t.Fatalf("append: %v", err)
	}
	empty, err := f.client.GetStreamMetadata(ctx, stream, client.ReadStreamOptions{})
	if err == nil {
		t.Fatalf("GetStreamMetadata before any was set: got %+v, want the client's not-found error", empty)
	}
	var meta client.StreamMetadata
	meta.SetMaxCount(2)
	meta.AddCustomProperty("owner", "petitions")
	if _, err := f.client.SetStreamMetadata(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: client.NoStream{}}, meta); err != nil {
		t.Fatalf("SetStreamMetadata: %v", err)
	}
	got, err := f.client.GetStreamMetadata(ctx, stream, client.ReadStreamOptions{})
	if err != nil {
		t.Fatalf("GetStreamMetadata: %v", err)
	}
	if got.MaxCount() == nil || *got.MaxCount() != 2 || got.CustomProperty("owner") != "petitions" {
		t.Errorf("metadata: got maxCount %v owner %v, want 2 and petitions", got.MaxCount(), got.CustomProperty("owner"))
	}
	// The Store applies $maxCount at read time.
	if got := revisions(readStreamEvents(t, f.client, stream, client.ReadStreamOptions{}, 10)); !equalUints(got, []uint64{3, 4}) {
		t.Errorf("read with $maxCount 2: got revisions %v, want [3 4]", got)
	}
	if events := readStreamEvents(t, f.client, "$$"+stream, client.ReadStreamOptions{}, 10); len(events) != 1 || events[0].Event.EventType != "$metadata" {
		t.Errorf("$$%s: got %d events, want one $metadata event", stream, len(events))
	}
}
