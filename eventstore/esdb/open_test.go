package esdb

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"

	"github.com/petitionledger/petitionledger/eventstore"
)

// TestOpenUnreachable checks Open fails with ErrUnavailable when nothing
// listens.
func TestOpenUnreachable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = Open(ctx, "esdb://"+addr+"?tls=false&maxDiscoverAttempts=1&discoveryInterval=1",
		WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}), WithLogger(discardLogger()))
	if !errors.Is(err, eventstore.ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
}

// TestClosedStore checks every operation after Close returns ErrClosed.
func TestClosedStore(t *testing.T) {
	s := openFake(t, &fakeServer{}, testPolicy)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, errAppend := s.Append(ctx, "s", eventstore.Any{}, oneEvent())
	_, errRead := s.ReadStream(ctx, "s", eventstore.ReadStreamOptions{})
	_, errAll := s.ReadAll(ctx, eventstore.ReadAllOptions{})
	_, errSub := s.SubscribeToAll(ctx, eventstore.Start{}, eventstore.SubscribeAllOptions{})
	_, errDel := s.Delete(ctx, "s", eventstore.Any{})
	for i, err := range []error{errAppend, errRead, errAll, errSub, errDel} {
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Errorf("op %d: got %v, want ErrClosed", i, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestAppendValidates checks invalid events are refused before anything is
// sent (the client would give a nil ID a random one).
func TestAppendValidates(t *testing.T) {
	f := &fakeServer{}
	s := openFake(t, f, testPolicy)
	ok := oneEvent()
	tests := []struct {
		name   string
		stream string
		exp    eventstore.ExpectedRevision
		event  eventstore.EventData
	}{
		{"NilID", "s", eventstore.Any{}, eventstore.EventData{Type: "T"}},
		{"EmptyType", "s", eventstore.Any{}, eventstore.EventData{ID: ok.ID}},
		{"UnknownContentType", "s", eventstore.Any{}, eventstore.EventData{ID: ok.ID, Type: "T", ContentType: "text/plain"}},
		{"EmptyStream", "", eventstore.Any{}, ok},
		{"NilExpected", "s", nil, ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Append(context.Background(), tt.stream, tt.exp, tt.event)
			if !errors.Is(err, eventstore.ErrInvalidArgument) {
				t.Errorf("got %v, want ErrInvalidArgument", err)
			}
		})
	}
	if n := f.count("append"); n != 0 {
		t.Errorf("got %d appends sent, want 0", n)
	}
}

// TestCallsHonourContextWhileServerDown checks that while no node can be
// found (the client then ignores contexts) a call still returns when its
// context ends, and that Close then does not crash.
func TestCallsHonourContextWhileServerDown(t *testing.T) {
	f := &fakeServer{appendReply: func(n int, _ *api.AppendReq_Options) (*api.AppendResp, *fakeErr) {
		return appendOK(uint64(n), uint64(n)), nil
	}}
	s := openFake(t, f, testPolicy)
	if _, err := s.Append(context.Background(), "s", eventstore.Any{}, oneEvent()); err != nil {
		t.Fatal(err)
	}
	f.stop()
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err := s.Append(ctx, "s", eventstore.Exact(0), oneEvent())
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("append %d with the server down: got %v, want context.DeadlineExceeded", i, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.Append(ctx, "s", eventstore.Any{}, oneEvent())
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrAppendOutcomeUnknown) {
		t.Errorf("abandoned Any append: got %v, want context.DeadlineExceeded and ErrAppendOutcomeUnknown", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenHonoursContext checks Open gives up when its context ends, even
// while the client is still looking for a node.
func TestOpenHonoursContext(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = Open(ctx, "esdb://"+addr+"?tls=false", WithLogger(discardLogger()))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
}
