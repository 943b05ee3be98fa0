package esdbserver_test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"golang.org/x/net/http2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

func dial(t testing.TB, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func TestServerFeaturesListsExactlyTheServedMethods(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	got, err := serverfeatures.NewServerFeaturesClient(dial(t, f.addr)).GetSupportedMethods(ctxT(t), &shared.Empty{})
	if err != nil {
		t.Fatalf("GetSupportedMethods: %v", err)
	}
	if got.EventStoreServerVersion != esdbserver.DefaultVersion {
		t.Errorf("version: got %q, want %q", got.EventStoreServerVersion, esdbserver.DefaultVersion)
	}
	var methods []string
	for _, m := range got.Methods {
		methods = append(methods, fmt.Sprintf("%s/%s%v", m.ServiceName, m.MethodName, m.Features))
	}
	sort.Strings(methods)
	want := []string{
		"event_store.client.gossip.gossip/read[]",
		"event_store.client.server_features.serverfeatures/getsupportedmethods[]",
		"event_store.client.streams.streams/append[]",
		"event_store.client.streams.streams/delete[]",
		"event_store.client.streams.streams/read[position events]",
		"event_store.client.streams.streams/tombstone[]",
	}
	if fmt.Sprint(methods) != fmt.Sprint(want) {
		t.Errorf("methods:\n got %v\nwant %v", methods, want)
	}
	// The one method not served answers Unimplemented.
	_, err = rawClient(t, f.addr).BatchAppend(ctxT(t))
	if err == nil {
		// The error may only show on the first Recv of a stream.
		call, _ := rawClient(t, f.addr).BatchAppend(ctxT(t))
		_, err = call.Recv()
	}
	wantStatus(t, err, nil, 12 /* Unimplemented */, "")
}

func TestNewPanicsOnBadVersion(t *testing.T) {
	for _, v := range []string{"24.10", "24.10.0-rc1", "x.y.z", "1.2.3.4"} {
		t.Run(v, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("New with version %q did not panic", v)
				}
			}()
			esdbserver.New(nil, esdbserver.Options{Version: v})
		})
	}
}

func TestGossipSingleLeader(t *testing.T) {
	f := newFixture(t, esdbserver.Options{})
	info, err := gossip.NewGossipClient(dial(t, f.addr)).Read(ctxT(t), &shared.Empty{})
	if err != nil {
		t.Fatalf("Gossip.Read: %v", err)
	}
	if len(info.Members) != 1 {
		t.Fatalf("members: got %d, want 1", len(info.Members))
	}
	m := info.Members[0]
	got := fmt.Sprintf("%s:%d", m.GetHttpEndPoint().GetAddress(), m.GetHttpEndPoint().GetPort())
	if m.State != gossip.MemberInfo_Leader || !m.IsAlive || got != f.addr || m.InstanceId == nil {
		t.Errorf("member: got %v, want an alive leader at %s", m, f.addr)
	}
}

// TestDiscovery connects the official client through gossip: DNS-style
// discovery, and seeds of which one is down.
func TestDiscovery(t *testing.T) {
	store := testStore(t)
	addr := startServer(t, store, esdbserver.Options{})
	_, port, _ := net.SplitHostPort(addr)
	advertised := startServer(t, store, esdbserver.Options{AdvertiseAddress: "localhost:" + port})
	closed := closedPort(t)
	tests := []struct{ name, conn string }{
		{"Discover", "esdb+discover://" + addr + "?tls=false"},
		{"SeedsOneDown", "esdb://" + closed + "," + addr + "?tls=false&nodepreference=leader"},
		{"AdvertisedElsewhere", "esdb+discover://" + advertised + "?tls=false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.conn+"&maxdiscoverattempts=3&discoveryinterval=50")
			stream := uniqueStream("discover")
			if _, err := c.AppendToStream(ctxT(t), stream, client.AppendToStreamOptions{}, jsonEvents("E", 1)...); err != nil {
				t.Fatalf("append through %s: %v", tc.conn, err)
			}
			if got := readStreamEvents(t, c, stream, client.ReadStreamOptions{}, 10); len(got) != 1 {
				t.Errorf("read back %d events, want 1", len(got))
			}
		})
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	return addr
}

func TestDefaultKeepalivePolicyAcceptsClientPings(t *testing.T) {
	// The official clients ping every 10 s, with or without a call open.
	p := esdbserver.KeepaliveEnforcementPolicy(esdbserver.DefaultKeepaliveMinTime)
	if p.MinTime > 10*time.Second || !p.PermitWithoutStream {
		t.Errorf("policy %+v: want MinTime <= 10s and PermitWithoutStream", p)
	}
}

// TestKeepaliveEnforcement speaks raw HTTP/2 to check the server's policy
// in action, with the interval scaled down: pings spaced wider than the
// minimum, with no call open, never get a GOAWAY; a burst does (which shows
// the test can see one).
func TestKeepaliveEnforcement(t *testing.T) {
	const minTime = 50 * time.Millisecond
	addr := startServer(t, testStore(t), esdbserver.Options{KeepaliveMinTime: minTime})
	tests := []struct {
		name       string
		gap        time.Duration
		pings      int
		wantGoAway bool
	}{
		{"SpacedPingsWithoutCalls", 5 * minTime, 5, false},
		{"PingBurst", 0, 5, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			goAway, err := pingServer(addr, tc.pings, tc.gap)
			if err != nil {
				t.Fatalf("ping: %v", err)
			}
			if goAway != tc.wantGoAway {
				t.Errorf("GOAWAY: got %v, want %v", goAway, tc.wantGoAway)
			}
		})
	}
}

// pingServer opens an HTTP/2 connection, sends pings gap apart with no
// stream open, and reports whether the server sent GOAWAY.
func pingServer(addr string, pings int, gap time.Duration) (bool, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
		return false, err
	}
	fr := http2.NewFramer(conn, bufio.NewReader(conn))
	var writeMu sync.Mutex // the reader acks settings while we ping
	if err := fr.WriteSettings(); err != nil {
		return false, err
	}
	goAway := make(chan bool, 1)
	go func() {
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				goAway <- false
				return
			}
			switch f := f.(type) {
			case *http2.GoAwayFrame:
				goAway <- true
				return
			case *http2.SettingsFrame:
				if !f.IsAck() {
					writeMu.Lock()
					_ = fr.WriteSettingsAck()
					writeMu.Unlock()
				}
			}
		}
	}()
	for i := range pings {
		if i > 0 {
			time.Sleep(gap)
		}
		writeMu.Lock()
		err := fr.WritePing(false, [8]byte{byte(i)})
		writeMu.Unlock()
		if err != nil {
			return false, errors.Join(fmt.Errorf("ping %d", i), err)
		}
	}
	// Give the server time to answer the last ping with GOAWAY if it
	// objects; then close and collect the reader's verdict.
	time.Sleep(3 * gap / 2)
	select {
	case got := <-goAway:
		return got, nil
	case <-time.After(200 * time.Millisecond):
	}
	_ = conn.Close()
	return <-goAway, nil
}
