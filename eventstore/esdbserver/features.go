package esdbserver

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// Service names as ServerFeatures reports them: the gRPC full service name,
// lower-cased (ServerFeatures.cs).
const (
	streamsServiceName  = "event_store.client.streams.streams"
	gossipServiceName   = "event_store.client.gossip.gossip"
	featuresServiceName = "event_store.client.server_features.serverfeatures"
)

// supportedMethods lists exactly the methods this server serves. Streams
// read carries the features the real server lists for it. BatchAppend is
// absent: it is not implemented.
func supportedMethods() []*serverfeatures.SupportedMethod {
	return []*serverfeatures.SupportedMethod{
		{ServiceName: streamsServiceName, MethodName: "read", Features: []string{"position", "events"}},
		{ServiceName: streamsServiceName, MethodName: "append"},
		{ServiceName: streamsServiceName, MethodName: "delete"},
		{ServiceName: streamsServiceName, MethodName: "tombstone"},
		{ServiceName: gossipServiceName, MethodName: "read"},
		{ServiceName: featuresServiceName, MethodName: "getsupportedmethods"},
	}
}

// checkVersion accepts the "N.N.N" form the clients parse.
func checkVersion(v string) error {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return fmt.Errorf("%w: version %q is not N.N.N", ErrInvalidOptions, v)
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 31); err != nil {
			return fmt.Errorf("%w: version %q is not N.N.N", ErrInvalidOptions, v)
		}
	}
	return nil
}

type featuresService struct {
	serverfeatures.UnimplementedServerFeaturesServer
	srv *Server
}

// GetSupportedMethods implements ServerFeatures/GetSupportedMethods.
func (f *featuresService) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	return &serverfeatures.SupportedMethods{Methods: supportedMethods(), EventStoreServerVersion: f.srv.opts.Version}, nil
}

type gossipService struct {
	gossip.UnimplementedGossipServer
	srv *Server
}

// Read implements Gossip/Read: this single node, alive, as the leader.
func (g *gossipService) Read(ctx context.Context, _ *shared.Empty) (*gossip.ClusterInfo, error) {
	s := g.srv
	host, port, err := s.advertisedEndpoint(ctx)
	if err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	id := s.opts.InstanceID
	member := &gossip.MemberInfo{
		InstanceId:   structuredUUID(id),
		TimeStamp:    dotnetTicks(time.Now()),
		State:        gossip.MemberInfo_Leader,
		IsAlive:      true,
		HttpEndPoint: &gossip.EndPoint{Address: host, Port: uint32(port)},
	}
	return &gossip.ClusterInfo{Members: []*gossip.MemberInfo{member}}, nil
}

// advertisedEndpoint is Options.AdvertiseAddress or, by default, the local
// address of the connection the request came in on.
func (s *Server) advertisedEndpoint(ctx context.Context) (string, uint16, error) {
	addr := s.opts.AdvertiseAddress
	if addr == "" {
		p, ok := peer.FromContext(ctx)
		if !ok || p.LocalAddr == nil {
			return "", 0, fmt.Errorf("esdbserver: gossip: local address unknown; set Options.AdvertiseAddress")
		}
		addr = p.LocalAddr.String()
	}
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("esdbserver: gossip: advertise address %q: %w", addr, err)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return "", 0, fmt.Errorf("esdbserver: gossip: advertise address %q: bad port", addr)
	}
	return host, uint16(port), nil
}
