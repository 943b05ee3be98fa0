package esdb_test

import (
	"context"
	"net"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	return addr
}

// TestClusterConnectionStrings connects through gossip: with seeds (one of
// them dead) and with esdb+discover, and checks the store works.
func TestClusterConnectionStrings(t *testing.T) {
	n := startNode(t, t.TempDir(), "127.0.0.1:0")
	tests := []struct {
		name string
		conn string
	}{
		{"Seeds", "esdb://" + deadAddr(t) + "," + n.addr + "?tls=false&nodepreference=leader"},
		{"Discover", "esdb+discover://" + n.addr + "?tls=false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openBackendURL(t, tt.conn)
			stream := "cluster-" + tt.name
			if _, err := s.Append(context.Background(), stream, eventstore.NoStream{}, signatures(2)...); err != nil {
				t.Fatal(err)
			}
			got, err := s.ReadStream(context.Background(), stream, eventstore.ReadStreamOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Errorf("got %d events, want 2", len(got))
			}
		})
	}
}
