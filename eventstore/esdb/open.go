package esdb

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strings"
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

// ParseConnectionString parses an EventStoreDB connection string:
//
//	esdb://host:2113?tls=false                              (one node)
//	esdb://a:2113,b:2113,c:2113?nodepreference=leader       (gossip seeds)
//	esdb+discover://cluster.example:2113                    (DNS discovery)
//
// with the client's settings (tls, tlsVerifyCert, tlsCAFile, nodePreference,
// maxDiscoverAttempts, discoveryInterval, gossipTimeout, keepAliveInterval,
// keepAliveTimeout, defaultDeadline, userCertFile, userKeyFile) and
// credentials (esdb://user:pass@host). Errors match
// eventstore.ErrInvalidArgument.
func ParseConnectionString(connectionString string) (*client.Configuration, error) {
	if strings.TrimSpace(connectionString) == "" {
		return nil, fmt.Errorf("%w: esdb: empty connection string", eventstore.ErrInvalidArgument)
	}
	if err := checkSettings(connectionString); err != nil {
		return nil, err
	}
	cfg, err := client.ParseConnectionString(connectionString)
	if err != nil {
		return nil, fmt.Errorf("%w: esdb: connection string: %v", eventstore.ErrInvalidArgument, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w: esdb: connection string: %v", eventstore.ErrInvalidArgument, err)
	}
	if cfg.Address == "" && len(cfg.GossipSeeds) == 0 {
		return nil, fmt.Errorf("%w: esdb: connection string names no host", eventstore.ErrInvalidArgument)
	}
	if !hasSetting(connectionString, "maxdiscoverattempts") {
		cfg.MaxDiscoverAttempts = unboundedDiscovery
	}
	return cfg, nil
}

// unboundedDiscovery replaces the client's default of 10 discovery attempts.
// When discovery gives up, the client's connection goroutine exits, and
// every call already waiting to talk to it (for a connection, or to report
// an Unavailable error) blocks for ever. Discovering without end keeps that
// goroutine alive: waiting calls resume when a node is back, and the Store
// releases its callers when their context ends (see Store.call). A
// connection string that sets maxDiscoverAttempts keeps its value; the
// Store then replaces a client that gave up.
const unboundedDiscovery = math.MaxInt

// hasSetting reports whether the connection string sets key (lower case).
func hasSetting(connectionString, key string) bool {
	_, query, found := strings.Cut(connectionString, "?")
	if !found {
		return false
	}
	query, _, _ = strings.Cut(query, "#")
	values, err := url.ParseQuery(query)
	if err != nil {
		return false
	}
	for k := range values {
		if strings.ToLower(k) == key {
			return true
		}
	}
	return false
}

// knownSettings are the connection-string settings client v4.2.0 reads
// (lower case). It only warns about others; a typo such as "tsl=false" would
// then silently keep TLS on, so they are refused here.
var knownSettings = map[string]bool{
	"discoveryinterval": true, "gossiptimeout": true, "maxdiscoverattempts": true, "nodepreference": true,
	"keepaliveinterval": true, "keepalivetimeout": true, "tls": true, "tlscafile": true, "usercertfile": true,
	"userkeyfile": true, "tlsverifycert": true, "defaultdeadline": true,
}

// checkSettings refuses unknown connection-string settings.
func checkSettings(connectionString string) error {
	_, query, found := strings.Cut(connectionString, "?")
	if !found {
		return nil
	}
	query, _, _ = strings.Cut(query, "#")
	values, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("%w: esdb: connection string settings: %v", eventstore.ErrInvalidArgument, err)
	}
	for k := range values {
		if !knownSettings[strings.ToLower(k)] {
			return fmt.Errorf("%w: esdb: unknown connection string setting %q", eventstore.ErrInvalidArgument, k)
		}
	}
	return nil
}

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

// acquire returns the current client, making one if there is none or the
// last one died.
func (s *Store) acquire() (*clientHandle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	if s.cur == nil || s.cur.dead {
		cfg := *s.config
		c, err := client.NewClient(&cfg)
		if err != nil {
			return nil, fmt.Errorf("%w: esdb: %v", eventstore.ErrInvalidArgument, err)
		}
		s.cur = &clientHandle{c: c}
	}
	return s.cur, nil
}

// markDead records that h closed itself; the next acquire makes a new client.
func (s *Store) markDead(h *clientHandle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !h.dead {
		h.dead = true
		s.log.Warn("esdb: client closed itself after failing to reach a node; a new one will be made")
	}
}

// retry runs call until it succeeds, fails in a way retryable does not
// accept, the policy's attempts are spent, or ctx is done. A client that
// closed itself is replaced before the next attempt, whatever retryable says,
// because nothing was sent through it. It returns the last raw client error.
func (s *Store) retry(ctx context.Context, retryable func(failure) bool, call func(c *client.Client) error) error {
	for attempt := 0; ; attempt++ {
		h, err := s.acquire()
		if err != nil {
			return err
		}
		err = s.call(ctx, func() error { return call(h.c) })
		if err == nil || ctx.Err() != nil {
			return err
		}
		kind := classify(err)
		if kind == failClientClosed {
			if s.isClosed() {
				return eventstore.ErrClosed
			}
			s.markDead(h)
		} else if !retryable(kind) {
			return err
		}
		if attempt+1 >= s.policy.MaxAttempts {
			return err
		}
		delay := s.policy.Delay(attempt, nil)
		s.log.Debug("esdb: retrying", slog.Int("attempt", attempt+1), slog.Duration("delay", delay), slog.String("error", err.Error()))
		if err := sleep(ctx, delay); err != nil {
			return err
		}
	}
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
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

// call runs fn, a client call made with ctx, in its own goroutine and
// returns its error, or ctx's error as soon as ctx is done. The client
// ignores contexts while it looks for a node; this keeps the Store's
// callers responsive meanwhile. An abandoned fn finishes on its own (its
// gRPC call sees the cancelled ctx once it starts); callers must not use
// what fn writes unless call returned fn's own result.
func (s *Store) call(ctx context.Context, fn func() error) error {
	s.mu.Lock()
	s.inflight++
	s.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		defer s.callDone()
		done <- fn()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// callDone ends a call and closes the client if Close is waiting for it.
func (s *Store) callDone() {
	s.mu.Lock()
	s.inflight--
	var toClose *client.Client
	if s.inflight == 0 && s.closing != nil {
		toClose, s.closing = s.closing, nil
	}
	s.mu.Unlock()
	if toClose != nil {
		_ = toClose.Close()
	}
}
