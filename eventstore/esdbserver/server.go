package esdbserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Defaults for Options.
const (
	// DefaultMaxAppendSize is EventStoreDB's default MaxAppendSize: 1 MiB,
	// counted as Σ len(data) + len(metadata) + 2 × len(type in UTF-16).
	DefaultMaxAppendSize = 1 << 20
	// DefaultVersion is the server version ServerFeatures reports. Clients
	// parse it as N.N.N; some client behaviour needs at least 22.6.
	DefaultVersion = "24.10.0"
	// DefaultKeepaliveMinTime is the shortest interval between client
	// pings the server tolerates. The official clients ping every 10 s,
	// even with no call open; grpc-go's own default (5 min) would answer
	// them with GOAWAY "too_many_pings".
	DefaultKeepaliveMinTime = 5 * time.Second
	// DefaultReadBatchSize is how many events one page of a read asks the
	// Store for.
	DefaultReadBatchSize = 2048
	// MaxReceiveMessageSize bounds one gRPC message from a client (the Go
	// client's own receive limit is 17 MiB), unless MaxAppendSize needs more.
	MaxReceiveMessageSize = 17 << 20
)

// gRPC transport settings (see grpcOptions).
const (
	streamWorkers = 512
	streamWindow  = 4 << 20
	connWindow    = 16 << 20
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Logger receives the server's logs; nil means slog.Default().
	Logger *slog.Logger
	// MaxAppendSize bounds one Append request, counted the way
	// EventStoreDB counts it; 0 means DefaultMaxAppendSize.
	MaxAppendSize int
	// MaxAppendEventSize bounds one event of an Append; 0 means no bound
	// beyond MaxAppendSize (EventStoreDB's default).
	MaxAppendEventSize int
	// Version is the "N.N.N" version ServerFeatures reports; "" means
	// DefaultVersion.
	Version string
	// AdvertiseAddress is the "host:port" Gossip reports as this node's
	// http_end_point. "" means the local address of the connection the
	// gossip request arrived on, which the client could evidently reach.
	AdvertiseAddress string
	// KeepaliveMinTime is the shortest ping interval tolerated; 0 means
	// DefaultKeepaliveMinTime. Pings are tolerated with no call open.
	KeepaliveMinTime time.Duration
	// ReadBatchSize is the page size of reads from the Store; 0 means
	// DefaultReadBatchSize.
	ReadBatchSize int
	// InstanceID identifies this node in Gossip; the zero UUID means a
	// random one.
	InstanceID uuid.UUID
	// Security sets TLS and users; the zero value is plaintext and open.
	Security Security
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxAppendSize <= 0 {
		o.MaxAppendSize = DefaultMaxAppendSize
	}
	if o.MaxAppendEventSize <= 0 {
		o.MaxAppendEventSize = math.MaxInt
	}
	if o.Version == "" {
		o.Version = DefaultVersion
	}
	if o.KeepaliveMinTime <= 0 {
		o.KeepaliveMinTime = DefaultKeepaliveMinTime
	}
	if o.ReadBatchSize <= 0 {
		o.ReadBatchSize = DefaultReadBatchSize
	}
	if o.InstanceID == uuid.Nil {
		o.InstanceID = uuid.New()
	}
	return o
}

// ErrInvalidOptions reports unusable Options.
var ErrInvalidOptions = errors.New("esdbserver: invalid options")

// Server serves EventStoreDB's gRPC protocol (Streams, ServerFeatures,
// Gossip) over an eventstore.Store, in plaintext HTTP/2 (h2c).
type Server struct {
	store eventstore.Store
	opts  Options
	log   *slog.Logger
	grpc  *grpc.Server

	// stopping is cancelled when Stop or GracefulStop starts; it ends the
	// subscriptions, which never end by themselves.
	stopping context.Context
	stop     context.CancelFunc
}

// New returns a Server for store. It does not listen yet: call Serve. It
// panics if opts.Version is not "N.N.N" or opts.Security is unusable (e.g.
// users without TLS): programming errors.
func New(store eventstore.Store, opts Options) *Server {
	opts = opts.withDefaults()
	if err := checkVersion(opts.Version); err != nil {
		panic(err)
	}
	if err := opts.Security.check(); err != nil {
		panic(err)
	}
	s := &Server{store: store, opts: opts, log: opts.Logger}
	s.stopping, s.stop = context.WithCancel(context.Background())
	s.grpc = grpc.NewServer(s.grpcOptions()...)
	streams.RegisterStreamsServer(s.grpc, &streamsService{srv: s})
	serverfeatures.RegisterServerFeaturesServer(s.grpc, &featuresService{srv: s})
	gossip.RegisterGossipServer(s.grpc, &gossipService{srv: s})
	return s
}

// KeepaliveEnforcementPolicy is the ping policy the server enforces: pings
// at most every minTime, with or without a call open.
func KeepaliveEnforcementPolicy(minTime time.Duration) keepalive.EnforcementPolicy {
	return keepalive.EnforcementPolicy{MinTime: minTime, PermitWithoutStream: true}
}

func (s *Server) grpcOptions() []grpc.ServerOption {
	opts := []grpc.ServerOption{
		grpc.KeepaliveEnforcementPolicy(KeepaliveEnforcementPolicy(s.opts.KeepaliveMinTime)),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 2 * time.Hour, Timeout: 20 * time.Second}),
		// One proposed event may be as large as a whole append.
		grpc.MaxRecvMsgSize(max(MaxReceiveMessageSize, s.opts.MaxAppendSize+64<<10)),
		grpc.ForceServerCodecV2(serverCodec{newCodec()}),
		// Reuse handler goroutines: a fresh one per call grows its stack
		// again each time. gRPC starts a fresh one whenever every worker
		// is busy, and a call (or subscription) holds its worker while it
		// waits (e.g. for the Store's fsync), so there must be about as
		// many workers as concurrent calls: NumCPU workers left 254 of 256
		// concurrent appends to fresh goroutines.
		grpc.NumStreamWorkers(streamWorkers),
		// Fixed flow-control windows: gRPC's dynamic windows (the default)
		// cost a BDP ping and its ack for nearly every burst of data
		// received, i.e. for nearly every append. A stream may still send
		// 4 MiB (4× the default MaxAppendSize) before the server reads it.
		grpc.StaticStreamWindowSize(streamWindow),
		grpc.StaticConnWindowSize(connWindow),
		grpc.MaxSendMsgSize(math.MaxInt32),
	}
	return append(opts, s.opts.Security.serverOptions()...)
}

// Serve accepts connections on lis until Stop or GracefulStop. It returns
// nil after a stop, and the listener's error otherwise.
func (s *Server) Serve(lis net.Listener) error {
	s.log.Info("esdbserver: serving", slog.String("addr", lis.Addr().String()), slog.String("version", s.opts.Version))
	if err := s.grpc.Serve(lis); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("esdbserver: serve %s: %w", lis.Addr(), err)
	}
	return nil
}

// Stop closes every connection and ends every call at once. The Store is
// not closed: it belongs to the caller.
func (s *Server) Stop() {
	s.stop()
	s.grpc.Stop()
}

// GracefulStop stops accepting connections, ends the subscriptions (with
// status Unavailable, so clients resubscribe elsewhere) and waits for the
// other calls to finish. The Store is not closed.
func (s *Server) GracefulStop() {
	s.stop()
	s.grpc.GracefulStop()
}
