package esdb_test

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/esdb"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
	"github.com/petitionledger/petitionledger/eventstore/storetest"
)

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// node is an esdbserver over an embedded store in dir, on a loopback port.
type node struct {
	addr  string
	srv   *esdbserver.Server
	store *embedded.Store
	done  chan error
}

// startNode serves a store in dir on addr ("127.0.0.1:0" for any port).
func startNode(t testing.TB, dir, addr string) *node {
	t.Helper()
	store, err := embedded.Open(dir, embedded.WithLogger(quietLogger()))
	if err != nil {
		t.Fatalf("embedded.Open(%s): %v", dir, err)
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		_ = store.Close()
		t.Fatalf("listen %s: %v", addr, err)
	}
	n := &node{addr: lis.Addr().String(), srv: esdbserver.New(store, esdbserver.Options{Logger: quietLogger()}), store: store, done: make(chan error, 1)}
	go func() { n.done <- n.srv.Serve(lis) }()
	t.Cleanup(n.stop)
	return n
}

// stop ends every call and connection, then closes the store. It is safe to
// call twice.
func (n *node) stop() {
	if n.srv == nil {
		return
	}
	n.srv.Stop()
	<-n.done
	_ = n.store.Close()
	n.srv = nil
}

// openBackend connects the esdb backend to the node at addr.
func openBackend(t testing.TB, addr string, opts ...esdb.Option) *esdb.Store {
	t.Helper()
	return openBackendURL(t, "esdb://"+addr+"?tls=false", opts...)
}

// openBackendURL connects the esdb backend with a connection string.
func openBackendURL(t testing.TB, conn string, opts ...esdb.Option) *esdb.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts = append([]esdb.Option{esdb.WithLogger(quietLogger())}, opts...)
	s, err := esdb.Open(ctx, conn, opts...)
	if err != nil {
		t.Fatalf("esdb.Open(%s): %v", conn, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestConformance runs the Store conformance suite over real gRPC: the
// official client, our EventStoreDB-protocol server, a fresh embedded store.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) eventstore.Store {
		n := startNode(t, t.TempDir(), "127.0.0.1:0")
		return openBackend(t, n.addr)
	})
}
