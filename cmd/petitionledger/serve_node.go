package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // --pprof-listen
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/esdb"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
	"github.com/petitionledger/petitionledger/httpapi"
	"github.com/petitionledger/petitionledger/ledger"
	"github.com/petitionledger/petitionledger/projections"
)

// nodeConfig is everything serve (and demo) needs to run one node.
type nodeConfig struct {
	Listen          string // HTTP address
	Store           string // directory (embedded) or esdb:// connection string
	StateDir        string // projections' checkpoint and audit trails; "" derives it
	SecretsFile     string // "" derives it
	PublicURL       string
	ESDBListen      string // serve the EventStoreDB protocol here too ("" = no)
	ESDBSecurity    esdbserver.Security
	Tokens          *httpapi.Tokens
	PublicWrites    httpapi.RateLimit
	TrustProxy      bool
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	CloseEvery      time.Duration // how often petitions past their deadline are closed
	Logger          *slog.Logger
	Mailer          ledger.Mailer // nil: OutboxFile, or logMailer
	OutboxFile      string
	PprofListen     string // net/http/pprof address ("" = off)
	// Seed, when set, runs on the open store before the server starts.
	Seed func(ctx context.Context, store eventstore.Store) error
	// Started, when set, is called with the HTTP and esdb addresses once
	// the node listens.
	Started func(httpAddr, esdbAddr string)
}

// isESDB reports whether the store flag is a connection string.
func isESDB(store string) bool {
	return strings.HasPrefix(store, "esdb://") || strings.HasPrefix(store, "esdb+discover://")
}

// derivePaths fills StateDir and SecretsFile: inside the data directory
// for the embedded store (the store ignores files that are not its
// segments), ./state for EventStoreDB.
func (c *nodeConfig) derivePaths() {
	base := "state"
	if !isESDB(c.Store) {
		base = c.Store
	}
	if c.StateDir == "" {
		c.StateDir = filepath.Join(base, "projections")
	}
	if c.SecretsFile == "" {
		c.SecretsFile = filepath.Join(base, "secrets.json")
	}
}

// openStore opens the embedded store or connects to EventStoreDB.
func openStore(ctx context.Context, cfg nodeConfig, fsync prometheus.Observer) (eventstore.Store, error) {
	if isESDB(cfg.Store) {
		s, err := esdb.Open(ctx, cfg.Store, esdb.WithLogger(cfg.Logger))
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w", redactConn(cfg.Store), err)
		}
		return s, nil
	}
	s, err := embedded.Open(cfg.Store, embedded.WithLogger(cfg.Logger),
		embedded.WithSyncObserver(func(d time.Duration, _ int) { fsync.Observe(d.Seconds()) }))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", cfg.Store, err)
	}
	return s, nil
}

// redactConn drops credentials from a connection string for messages.
func redactConn(s string) string {
	if at := strings.LastIndex(s, "@"); at >= 0 {
		if i := strings.Index(s, "://"); i >= 0 && i < at {
			return s[:i+3] + "***" + s[at:]
		}
	}
	return s
}

// ledgerProofsHook, when set (by the verifiable ledger's own file in this
// package, from its init), builds the ledger-proof routes over the store;
// stop is called at shutdown, after the HTTP server has drained.
var ledgerProofsHook func(ctx context.Context, cfg nodeConfig, store eventstore.Store) (proofs *httpapi.LedgerProofs, stop func() error, err error)

// node is a running server.
type node struct {
	cfg     nodeConfig
	log     *slog.Logger
	store   eventstore.Store
	runner  *projections.Runner
	svc     *ledger.Service
	api     *httpapi.Server
	http    *http.Server
	esdb    *esdbserver.Server
	readyAt eventstore.Position // log head at start
	ready   atomic.Bool
	// stopProofs stops the verifiable ledger's follower (nil: none).
	stopProofs func() error
}

// runNode builds the node, serves until ctx is done, then shuts down:
// stop accepting, finish in-flight requests (and their appends), stop the
// projections (writing a checkpoint), close the store.
func runNode(ctx context.Context, cfg nodeConfig) (err error) {
	cfg.derivePaths()
	log := cfg.Logger
	reg := prometheus.NewRegistry()
	fsync := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "petitionledger_store_fsync_seconds",
		Help: "Duration of the embedded store's group-commit fsyncs.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)})
	reg.MustRegister(fsync)

	store, err := openStore(ctx, cfg, fsync)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := store.Close(); cerr != nil && !errors.Is(cerr, eventstore.ErrClosed) {
			err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
		}
	}()
	if cfg.Seed != nil {
		if err := cfg.Seed(ctx, store); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	lis, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	defer lis.Close()
	var esdbLis net.Listener
	if cfg.ESDBListen != "" {
		if esdbLis, err = net.Listen("tcp", cfg.ESDBListen); err != nil {
			return fmt.Errorf("listen on %s (esdb): %w", cfg.ESDBListen, err)
		}
		defer esdbLis.Close()
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + lis.Addr().String()
	}
	n, err := buildNode(ctx, cfg, store, reg)
	if err != nil {
		return err
	}
	if cfg.PprofListen != "" {
		stopPprof, err := servePprof(cfg.PprofListen, log)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	return n.serve(ctx, log, lis, esdbLis)
}

func buildNode(ctx context.Context, cfg nodeConfig, store eventstore.Store, reg *prometheus.Registry) (*node, error) {
	sec, err := loadOrCreateSecrets(cfg.SecretsFile)
	if err != nil {
		return nil, err
	}
	places, err := placesFromGeo(geo.Default())
	if err != nil {
		return nil, err
	}
	runner, err := projections.NewRunner(projections.Config{Store: store, Dir: cfg.StateDir, Places: places, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("projections: %w", err)
	}
	rules, err := domainRules(sec)
	if err != nil {
		return nil, err
	}
	mailer := cfg.Mailer
	switch {
	case mailer != nil:
	case cfg.OutboxFile != "":
		fm, err := openFileMailer(cfg.OutboxFile)
		if err != nil {
			return nil, err
		}
		mailer = fm // closed by the OS at exit: appends are whole lines
	default:
		mailer = logMailer{cfg.Logger}
	}
	svc, err := ledger.New(ledger.Options{Store: store, Rules: rules, TokenSecret: sec.TokenSecret, Mailer: mailer,
		BaseURL: cfg.PublicURL, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	n := &node{cfg: cfg, log: cfg.Logger, store: store, runner: runner, svc: svc}
	var proofs *httpapi.LedgerProofs
	if ledgerProofsHook != nil {
		if proofs, n.stopProofs, err = ledgerProofsHook(ctx, cfg, store); err != nil {
			return nil, fmt.Errorf("ledger proofs: %w", err)
		}
	}
	if n.readyAt, err = headPosition(ctx, store); err != nil {
		return nil, err
	}
	n.api, err = httpapi.New(httpapi.Config{Ledger: ledgerPort{svc}, Projections: runner, Places: places,
		Tokens: cfg.Tokens, PublicWrites: cfg.PublicWrites, TrustProxy: cfg.TrustProxy,
		MaxBodyBytes: cfg.MaxBodyBytes, PublicURL: cfg.PublicURL, Ready: n.readiness, Registry: reg, Logger: cfg.Logger,
		LedgerProofs: proofs})
	if err == nil {
		err = registerWeb(n.api, runner, places, proofs != nil, cfg.Logger)
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// domainRules builds the domain's rules from the secrets.
func domainRules(sec *secrets) (domain.Rules, error) {
	hasher, err := domain.NewHasher(sec.HasherKey)
	if err != nil {
		return domain.Rules{}, fmt.Errorf("hasher: %w", err)
	}
	keys, err := domain.NewKeyring(sec.CurrentKey, sec.SealingKeys)
	if err != nil {
		return domain.Rules{}, fmt.Errorf("keyring: %w", err)
	}
	return domain.Rules{Config: domain.DefaultConfig(), Hasher: hasher, Keys: keys, Places: geo.Default()}, nil
}

// headPosition is the position of the last event in $all at start.
func headPosition(ctx context.Context, store eventstore.Store) (eventstore.Position, error) {
	evs, err := store.ReadAll(ctx, eventstore.ReadAllOptions{Direction: eventstore.Backwards, MaxCount: 1})
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("read the head of $all: %w", err)
	}
	if len(evs) == 0 {
		return eventstore.StartPosition, nil
	}
	return evs[0].Position, nil
}

// readiness is ready once the projections reflect the log as it was at
// start (and stays ready: later lag is reported by /metrics).
func (n *node) readiness() error {
	if n.ready.Load() {
		return nil
	}
	if cur := n.runner.View().Position(); cur.Compare(n.readyAt) < 0 {
		return fmt.Errorf("projections at %s, catching up to %s", cur, n.readyAt)
	}
	n.ready.Store(true)
	return nil
}

func (n *node) serve(ctx context.Context, log *slog.Logger, lis, esdbLis net.Listener) error {
	runCtx, stopRunner := context.WithCancel(context.WithoutCancel(ctx))
	runDone := make(chan error, 1)
	go func() { runDone <- n.runner.Run(runCtx) }()

	n.http = &http.Server{Handler: n.api.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	n.http.RegisterOnShutdown(n.api.Close)
	serveErr := make(chan error, 2)
	go func() { serveErr <- n.http.Serve(lis) }()
	esdbAddr := ""
	if esdbLis != nil {
		n.esdb = esdbserver.New(n.store, esdbserver.Options{Logger: log, Security: n.cfg.ESDBSecurity})
		esdbAddr = esdbLis.Addr().String()
		go func() { serveErr <- n.esdb.Serve(esdbLis) }()
	}
	closerCtx, stopCloser := context.WithCancel(ctx)
	var closerWG sync.WaitGroup
	closerWG.Add(1)
	go func() { defer closerWG.Done(); n.closeDuePetitions(closerCtx) }()

	log.Info("serving", slog.String("http", lis.Addr().String()), slog.String("esdb", esdbAddr),
		slog.String("store", redactConn(n.cfg.Store)), slog.String("state_dir", n.cfg.StateDir))
	if n.cfg.Started != nil {
		n.cfg.Started(lis.Addr().String(), esdbAddr)
	}
	var runErr error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			runErr = fmt.Errorf("server: %w", err)
		}
	case err := <-runDone:
		runErr = fmt.Errorf("projections stopped: %w", err)
		runDone <- err
	}
	stopCloser()
	closerWG.Wait()
	return errors.Join(runErr, n.shutdown(log, stopRunner, runDone))
}

// shutdown stops accepting, drains in-flight requests (so every append
// under way finishes and is answered), then stops the projections. The
// caller closes the store.
func (n *node) shutdown(log *slog.Logger, stopRunner context.CancelFunc, runDone <-chan error) error {
	log.Info("shutting down: draining requests")
	ctx, cancel := context.WithTimeout(context.Background(), n.cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := n.http.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("drain HTTP: %w", err))
	}
	if n.esdb != nil {
		n.esdb.GracefulStop()
	}
	if n.stopProofs != nil {
		if err := n.stopProofs(); err != nil {
			errs = append(errs, fmt.Errorf("ledger proofs: %w", err))
		}
	}
	stopRunner()
	if err := <-runDone; err != nil {
		errs = append(errs, fmt.Errorf("projections: %w", err))
	}
	log.Info("shut down")
	return errors.Join(errs...)
}

// closeDuePetitions closes petitions past their deadline, every CloseEvery.
func (n *node) closeDuePetitions(ctx context.Context) {
	every := n.cfg.CloseEvery
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		ids, err := n.svc.CloseDueAtDeadline(ctx)
		if err != nil && ctx.Err() == nil {
			n.log.Warn("closing petitions at their deadline failed", slog.Any("error", err))
		} else if len(ids) > 0 {
			n.log.Info("closed petitions at their deadline", slog.Int("count", len(ids)))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// newLogger returns the JSON logger at level.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", level)}
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// servePprof serves net/http/pprof's handlers (registered on
// http.DefaultServeMux by the import) on addr.
func servePprof(addr string, log *slog.Logger) (stop func(), err error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof-listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(lis) }()
	log.Info("pprof", slog.String("addr", lis.Addr().String()))
	return func() { _ = srv.Close() }, nil
}
