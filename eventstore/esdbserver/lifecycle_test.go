package esdbserver_test

import (
	"log/slog"
	"net"
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// TestGracefulStopEndsSubscriptions: GracefulStop returns although a
// subscription is open, and the subscriber sees Unavailable (so a client
// resubscribes elsewhere).
func TestGracefulStopEndsSubscriptions(t *testing.T) {
	store := testStore(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := esdbserver.New(store, esdbserver.Options{Logger: slog.New(slog.DiscardHandler)})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	c := newClient(t, "esdb://"+lis.Addr().String()+"?tls=false")
	sub, err := c.SubscribeToAll(ctxT(t), client.SubscribeToAllOptions{From: client.Start{}})
	if err != nil {
		t.Fatalf("SubscribeToAll: %v", err)
	}
	defer sub.Close()
	if m := recvSub(t, sub); m.kind != "caught-up" {
		t.Fatalf("got %+v, want caught-up on an empty store", m)
	}
	srv.GracefulStop()
	if err := <-served; err != nil {
		t.Errorf("Serve after GracefulStop: %v", err)
	}
	m := sub.Recv()
	if m.SubscriptionDropped == nil {
		t.Fatalf("after GracefulStop: got %+v, want the subscription dropped", m)
	}
	if code := status.Code(m.SubscriptionDropped.Error); code != codes.Unavailable {
		t.Errorf("dropped with %v, want Unavailable", m.SubscriptionDropped.Error)
	}
}

// TestClosedStoreIsUnavailable: after the Store closes, requests fail with
// Unavailable "Server Is Not Ready", which clients may retry.
func TestClosedStoreIsUnavailable(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	if err := f.store.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err := f.client.AppendToStream(ctxT(t), uniqueStream("closed"), client.AppendToStreamOptions{}, jsonEvents("E", 1)...)
	esErr := wantClientCode(t, err, client.ErrorUnavailable)
	if st, _ := status.FromError(esErr.Unwrap()); st.Message() != "Server Is Not Ready" {
		t.Errorf("message: got %q, want Server Is Not Ready", st.Message())
	}
}
