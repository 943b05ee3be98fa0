package esdbserver_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// testStore returns the Store the server tests run over: the embedded
// store in a fresh directory, closed after the server stops.
func testStore(t testing.TB) eventstore.Store {
	t.Helper()
	dir := t.TempDir()
	s, err := embedded.Open(dir, embedded.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("embedded.Open(%s): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, eventstore.ErrClosed) {
			t.Errorf("embedded Close: %v", err)
		}
	})
	return s
}

// startServer serves store on a loopback port and returns its address.
func startServer(t testing.TB, store eventstore.Store, opts esdbserver.Options) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	srv := esdbserver.New(store, opts)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return lis.Addr().String()
}

// newClient connects the official Go client to addr.
func newClient(t testing.TB, connString string) *client.Client {
	t.Helper()
	cfg, err := client.ParseConnectionString(connString)
	if err != nil {
		t.Fatalf("ParseConnectionString(%q): %v", connString, err)
	}
	cfg.Logger = func(client.LogLevel, string, ...any) {}
	c, err := client.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// fixture is a server over a fresh store and a client connected to it.
type fixture struct {
	store  eventstore.Store
	addr   string
	client *client.Client
}

func newFixture(t testing.TB, opts esdbserver.Options) fixture {
	t.Helper()
	store := testStore(t)
	addr := startServer(t, store, opts)
	return fixture{store: store, addr: addr, client: newClient(t, "esdb://"+addr+"?tls=false")}
}

var streamCounter atomic.Int64

// uniqueStream returns a stream name no other test uses.
func uniqueStream(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1_000_000, streamCounter.Add(1))
}

// jsonEvents makes n JSON events of type typ with fresh IDs.
func jsonEvents(typ string, n int) []client.EventData {
	out := make([]client.EventData, n)
	for i := range out {
		out[i] = client.EventData{
			EventID: uuid.New(), EventType: typ, ContentType: client.ContentTypeJson,
			Data: fmt.Appendf(nil, `{"n":%d}`, i), Metadata: fmt.Appendf(nil, `{"m":%d}`, i),
		}
	}
	return out
}

// readStreamEvents reads one stream to the end of the read.
func readStreamEvents(t testing.TB, c *client.Client, stream string, opts client.ReadStreamOptions, count uint64) []*client.ResolvedEvent {
	t.Helper()
	rs, err := c.ReadStream(ctxT(t), stream, opts, count)
	return drainRead(t, rs, err)
}

// readAllEvents reads $all to the end of the read.
func readAllEvents(t testing.TB, c *client.Client, opts client.ReadAllOptions, count uint64) []*client.ResolvedEvent {
	t.Helper()
	rs, err := c.ReadAll(ctxT(t), opts, count)
	return drainRead(t, rs, err)
}

// drainRead receives every event of a read.
func drainRead(t testing.TB, rs *client.ReadStream, err error) []*client.ResolvedEvent {
	t.Helper()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	defer rs.Close()
	var out []*client.ResolvedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read: Recv: %v", err)
		}
		out = append(out, ev)
	}
}

// ctxT is a context that ends with the test.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rawClient is the generated gRPC client, for requests the official client
// cannot make (malformed ones) and for looking at raw responses.
func rawClient(t testing.TB, addr string) streams.StreamsClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return streams.NewStreamsClient(conn)
}

// streamID is a protocol stream identifier.
func streamID(name string) *shared.StreamIdentifier {
	return &shared.StreamIdentifier{StreamName: []byte(name)}
}

// structuredID is id in the Go client's structured form.
func structuredID(id uuid.UUID) *shared.UUID {
	most, least := client.UUIDAsInt64(id)
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{MostSignificantBits: most, LeastSignificantBits: least}}}
}

// proposed is a valid proposed message of type typ.
func proposed(typ string, data []byte) *streams.AppendReq {
	return &streams.AppendReq{Content: &streams.AppendReq_ProposedMessage_{ProposedMessage: &streams.AppendReq_ProposedMessage{
		Id:       structuredID(uuid.New()),
		Metadata: map[string]string{"type": typ, "content-type": "application/json"},
		Data:     data,
	}}}
}

// appendOptions is the first message of an append with expectation Any.
func appendOptions(stream string) *streams.AppendReq {
	return &streams.AppendReq{Content: &streams.AppendReq_Options_{Options: &streams.AppendReq_Options{
		StreamIdentifier:       streamID(stream),
		ExpectedStreamRevision: &streams.AppendReq_Options_Any{Any: &shared.Empty{}},
	}}}
}

// rawAppend sends msgs as one Append call and returns the response, the
// status error and the trailers.
func rawAppend(t testing.TB, c streams.StreamsClient, msgs ...*streams.AppendReq) (*streams.AppendResp, metadata.MD, error) {
	t.Helper()
	var trailer metadata.MD
	call, err := c.Append(ctxT(t), grpc.Trailer(&trailer))
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	for _, m := range msgs {
		if err := call.Send(m); err != nil {
			break // the server answered early; CloseAndRecv has its status
		}
	}
	resp, err := call.CloseAndRecv()
	return resp, trailer, err
}

// wantStatus checks a gRPC error's code and, when exception is not empty,
// its "exception" trailer.
func wantStatus(t testing.TB, err error, trailer metadata.MD, code codes.Code, exception string) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("status: got %v (%v), want %v", got, err, code)
	}
	if exception == "" {
		return
	}
	if got := trailer.Get("exception"); len(got) != 1 || got[0] != exception {
		t.Errorf("exception trailer: got %q, want %q (all trailers %v)", got, exception, trailer)
	}
}
