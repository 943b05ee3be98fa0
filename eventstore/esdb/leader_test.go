package esdb

import (
	"context"
	"net"
	"testing"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// TestNotLeaderFollowsTheLeader connects to a follower (a fake) that
// refuses writes with not-leader and names the leader (a real node): the
// append, with an Any expectation, must land on the leader exactly once.
func TestNotLeaderFollowsTheLeader(t *testing.T) {
	store, err := embedded.Open(t.TempDir(), embedded.WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	leader := esdbserver.New(store, esdbserver.Options{Logger: discardLogger()})
	go func() { _ = leader.Serve(lis) }()
	t.Cleanup(func() { leader.Stop(); _ = store.Close() })
	host, port, _ := net.SplitHostPort(lis.Addr().String())

	follower := &fakeServer{appendReply: func(int, *api.AppendReq_Options) (*api.AppendResp, *fakeErr) {
		return nil, &fakeErr{codes.NotFound, "Leader info available",
			[]string{"exception", "not-leader", "leader-endpoint-host", host, "leader-endpoint-port", port}}
	}}
	s := openFake(t, follower, testPolicy)
	ctx := context.Background()
	if _, err := s.Append(ctx, "petition-1", eventstore.Any{}, oneEvent()); err != nil {
		t.Fatalf("append through the follower: %v", err)
	}
	if n := follower.count("append"); n != 1 {
		t.Errorf("follower saw %d appends, want 1", n)
	}
	got, err := store.ReadStream(ctx, "petition-1", eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Errorf("leader holds %d events, want 1", len(got))
	}
}
