package esdb

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Store is an eventstore.Store backed by EventStoreDB (or any server that
// speaks its gRPC protocol) through the official Go client.
type Store struct {
	config *client.Configuration // parsed once; each client gets a copy
	policy RetryPolicy
	log    *slog.Logger

	mu       sync.Mutex
	closed   bool                     // guarded by mu
	cur      *clientHandle            // guarded by mu
	subs     map[*subscription]func() // live subscriptions and their cancel funcs; guarded by mu
	inflight int                      // client calls still running; guarded by mu
	closing  *client.Client           // to close once inflight is 0; guarded by mu
}

var _ eventstore.Store = (*Store)(nil)

// clientHandle is one client instance. The client closes itself for good when
// node discovery fails (its connection goroutine exits); the Store then makes
// a new one. A dead client is never Close()d: its goroutine is gone, and
// closing its channel would panic any call still trying to report an error
// to it.
type clientHandle struct {
	c    *client.Client
	dead bool // guarded by Store.mu
}

// Option configures Open.
type Option func(*Store)

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option { return func(s *Store) { s.policy = p.withDefaults() } }

// WithLogger sets the logger of the store and of the client library (whose
// messages are logged at debug level, its errors at warn). The default is
// slog.Default().
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// Open connects to the server named by connectionString (see
// ParseConnectionString) and returns once the server has answered, or ctx is
// done. A server that cannot be reached gives eventstore.ErrUnavailable.
func Open(ctx context.Context, connectionString string, opts ...Option) (*Store, error) {
	cfg, err := ParseConnectionString(connectionString)
	if err != nil {
		return nil, err
	}
	s := &Store{config: cfg, policy: DefaultRetryPolicy, log: slog.Default(), subs: map[*subscription]func(){}}
	for _, o := range opts {
		o(s)
	}
	cfg.Logger = clientLogger(s.log)
	if err := s.ping(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// ping checks that a node answers, retrying under the policy, so that Open
// fails early and plainly. It uses throw-away clients whose discovery is
// bounded (the client's default of 10 attempts, unless the connection string
// says otherwise): an unreachable server must not leave a client searching
// for ever behind a failed Open.
func (s *Store) ping(ctx context.Context) error {
	cfg := *s.config
	if cfg.MaxDiscoverAttempts == unboundedDiscovery {
		cfg.MaxDiscoverAttempts = pingDiscoverAttempts
	}
	var err error
	for attempt := 0; attempt < s.policy.MaxAttempts; attempt++ {
		if attempt > 0 {
			if serr := sleep(ctx, s.policy.Delay(attempt-1, nil)); serr != nil {
				break
			}
		}
		attemptCfg := cfg
		c, cerr := client.NewClient(&attemptCfg)
		if cerr != nil {
			return fmt.Errorf("%w: esdb: %v", eventstore.ErrInvalidArgument, cerr)
		}
		err = s.call(ctx, func() error {
			defer c.Close() // only this call uses c, so closing cannot strand a sender
			_, err := c.GetServerVersion()
			return err
		})
		if err == nil || ctx.Err() != nil {
			break
		}
		if kind := classify(err); !transient(kind) && kind != failClientClosed {
			break
		}
	}
	return mapError(opInfo{op: "connect"}, ctx.Err(), err)
}

// pingDiscoverAttempts bounds the discovery of Open's ping: the client's
// default.
const pingDiscoverAttempts = 10

// clientLogger routes the client library's messages to slog. They carry no
// personal data: the client logs endpoints, stream names and gRPC errors.
func clientLogger(l *slog.Logger) client.LoggingFunc {
	return func(level client.LogLevel, format string, args ...interface{}) {
		lvl := slog.LevelDebug
		if level == client.LogError || level == client.LogWarn {
			lvl = slog.LevelWarn
		}
		l.Log(context.Background(), lvl, "esdb client: "+fmt.Sprintf(format, args...), slog.String("client_level", level))
	}
}

// Close ends every subscription and closes the client. Operations after
// Close return eventstore.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	cancels := make([]func(), 0, len(s.subs))
	for _, cancel := range s.subs {
		cancels = append(cancels, cancel)
	}
	var live *client.Client
	if s.cur != nil && !s.cur.dead {
		live = s.cur.c
	}
	if live != nil && s.inflight > 0 {
		// Closing the client's channel now would panic the calls still
		// waiting to send on it; the last of them closes it.
		s.closing, live = live, nil
	}
	s.mu.Unlock()
	for _, cancel := range cancels {
		cancel()
	}
	if live != nil {
		return live.Close()
	}
	return nil
}
