package esdb

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// fakeServer is a scripted Streams service: each method answers call number
// n (0-based) with the script's reply. It serves no ServerFeatures, which the
// client accepts (it then treats the version as unknown).
type fakeServer struct {
	api.UnimplementedStreamsServer

	appendReply    func(n int, opts *api.AppendReq_Options) (*api.AppendResp, *fakeErr)
	readReply      func(n int, req *api.ReadReq) ([]*api.ReadResp, *fakeErr)
	deleteReply    func(n int) (*api.DeleteResp, *fakeErr)
	tombstoneReply func(n int) (*api.TombstoneResp, *fakeErr)

	mu    sync.Mutex
	calls map[string]int
	reads []*api.ReadReq // every Read request, in order
	addr  string
	stop  func() // stops serving and drops every connection
}

// fakeErr is a gRPC status with trailers.
type fakeErr struct {
	code     codes.Code
	msg      string
	trailers []string // key, value pairs
}

func (e *fakeErr) send(setTrailer func(metadata.MD)) error {
	if len(e.trailers) > 0 {
		setTrailer(metadata.Pairs(e.trailers...))
	}
	return status.Error(e.code, e.msg)
}

// startFake serves f on a loopback port until the test ends.
func startFake(t testing.TB, f *fakeServer) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}))
	api.RegisterStreamsServer(srv, f)
	f.calls = map[string]int{}
	f.addr = lis.Addr().String()
	f.stop = srv.Stop
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return f.addr
}

func (f *fakeServer) next(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.calls[method]
	f.calls[method] = n + 1
	return n
}

func (f *fakeServer) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// hostPort splits the fake's address, for not-leader trailers.
func (f *fakeServer) hostPort() (string, string) {
	host, port, _ := net.SplitHostPort(f.addr)
	return host, port
}

func (f *fakeServer) Append(srv api.Streams_AppendServer) error {
	n := f.next("append")
	var opts *api.AppendReq_Options
	for {
		req, err := srv.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if o := req.GetOptions(); o != nil {
			opts = o
		}
	}
	resp, ferr := f.appendReply(n, opts)
	if ferr != nil {
		return ferr.send(srv.SetTrailer)
	}
	return srv.SendAndClose(resp)
}

func (f *fakeServer) Read(req *api.ReadReq, srv api.Streams_ReadServer) error {
	method := "read"
	if req.GetOptions().GetSubscription() != nil {
		method = "subscribe"
	}
	n := f.next(method)
	f.mu.Lock()
	f.reads = append(f.reads, req)
	f.mu.Unlock()
	resps, ferr := f.readReply(n, req)
	for _, r := range resps {
		if err := srv.Send(r); err != nil {
			return err
		}
	}
	if ferr != nil {
		return ferr.send(srv.SetTrailer)
	}
	if req.GetOptions().GetSubscription() != nil {
		<-srv.Context().Done() // a subscription stays open
	}
	return nil
}

func (f *fakeServer) Delete(ctx context.Context, _ *api.DeleteReq) (*api.DeleteResp, error) {
	resp, ferr := f.deleteReply(f.next("delete"))
	if ferr != nil {
		return nil, ferr.send(func(md metadata.MD) { _ = grpc.SetTrailer(ctx, md) })
	}
	return resp, nil
}

func (f *fakeServer) Tombstone(ctx context.Context, _ *api.TombstoneReq) (*api.TombstoneResp, error) {
	resp, ferr := f.tombstoneReply(f.next("tombstone"))
	if ferr != nil {
		return nil, ferr.send(func(md metadata.MD) { _ = grpc.SetTrailer(ctx, md) })
	}
	return resp, nil
}

// appendOK is a successful append answer.
func appendOK(rev, pos uint64) *api.AppendResp {
	return &api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
		CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: rev},
		PositionOption:        &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{CommitPosition: pos, PreparePosition: pos}},
	}}}
}

// recordedEvent is a read answer carrying one event.
func recordedEvent(stream string, rev, pos uint64, typ string, created time.Time) *api.ReadResp {
	id := uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprintf("%s/%d", stream, rev)))
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               &shared.UUID{Value: &shared.UUID_String_{String_: id.String()}},
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(stream)},
			StreamRevision:   rev,
			PreparePosition:  pos,
			CommitPosition:   pos,
			Metadata: map[string]string{
				"type":         typ,
				"content-type": "application/json",
				"created":      strconv.FormatInt(created.UnixNano()/100, 10),
			},
			Data: []byte(`{}`),
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: pos},
	}}}
}

// caughtUp is the server's caught-up marker.
func caughtUp() *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}}
}

// checkpoint is a filtered subscription's checkpoint.
func checkpoint(pos uint64) *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_Checkpoint_{Checkpoint: &api.ReadResp_Checkpoint{CommitPosition: pos, PreparePosition: pos}}}
}

// confirmation is the first answer of a subscription.
func confirmation() *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{SubscriptionId: "fake"}}}
}

// testPolicy retries fast.
var testPolicy = RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}

// openFake connects a Store to a fake server.
func openFake(t testing.TB, f *fakeServer, policy RetryPolicy) *Store {
	t.Helper()
	addr := startFake(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, "esdb://"+addr+"?tls=false", WithRetryPolicy(policy), WithLogger(discardLogger()))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
