package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// esdbServerUnderTest is the esdbserver the client side talks to.
type esdbServerUnderTest struct {
	addr     string
	pid      int    // its process when separate and known, else 0
	describe string // for the report
	stop     func()
}

// cpuPerOp renders the server's CPU per operation of m, when it is known.
func (s *esdbServerUnderTest) cpuPerOp(m measured) string {
	if s.pid == 0 || m.n == 0 {
		return "-"
	}
	return (m.serverCPU / time.Duration(m.n)).Round(10 * time.Nanosecond).String()
}

func init() {
	registerBench(benchmark{name: "esdb", summary: "the EventStoreDB protocol server: official Go client over loopback vs the embedded store in-process", run: runBenchESDB})
}

// benchESDBFlags configure `petitionledger bench esdb`.
type benchESDBFlags struct {
	events  int    // events appended in batches (and then read back)
	batch   int    // events per batch append
	writers int    // concurrent batch writers
	clients int    // concurrent single-event appenders
	conns   int    // client connections they share
	singles int    // single-event appends in all
	profile string // CPU profile of the single-event phase, if set

	split     bool   // server in a child process
	server    string // address of a server already running
	serverPid int    // its process, for its CPU time
	serveOnly string // serve esdbserver on this address, nothing else
	phases    string // comma-separated phases to run
	gc        gcFlags
}

// defaultBenchESDBConns is how many official clients, each with its own
// connection, the 256 appenders share by default: 64 concurrent calls per
// connection, under the 100 streams per HTTP/2 connection that Kestrel
// (EventStoreDB's HTTP server) allows by default, so the same load would
// run against a real EventStoreDB. Fewer, busier connections cost less CPU
// per call (writes and reads are batched): measured 70-80 µs per append with
// 1-4 connections, 83-89 with 8, 83-114 with 16, ~118 with 32, ~200 with
// one each (docs/benchmarks.md).
const defaultBenchESDBConns = 4

// benchESDBPhases are the phases of `bench esdb`, in the order they run.
var benchESDBPhases = []string{"baseline", "batch", "single", "read"}

// selected reports whether phase is among f.phases.
func (f benchESDBFlags) selected(phase string) bool {
	return slices.Contains(strings.Split(f.phases, ","), phase)
}

// esdbTarget is one side of the comparison.
type esdbTarget struct {
	name     string
	appendTo func(ctx context.Context, worker int, stream string, n int) error
	readAll  func(ctx context.Context) (int, error)
}

func runBenchESDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench esdb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f benchESDBFlags
	fs.IntVar(&f.events, "events", 200_000, "events appended in batches, then read back from $all")
	fs.IntVar(&f.batch, "batch", 100, "events per batch append")
	fs.IntVar(&f.writers, "writers", 4, "concurrent batch writers")
	fs.IntVar(&f.clients, "clients", 256, "concurrent single-event appenders")
	fs.IntVar(&f.conns, "conns", defaultBenchESDBConns, "client connections (official clients) the appenders share (0: one each)")
	fs.IntVar(&f.singles, "singles", 20_000, "single-event appends in all")
	fs.StringVar(&f.profile, "cpuprofile", "", "write a CPU profile of the esdb single-event phase to this file")
	fs.StringVar(&f.phases, "phases", strings.Join(benchESDBPhases, ","), "comma-separated phases to run, of "+strings.Join(benchESDBPhases, ","))
	f.gc.register(fs)
	fs.BoolVar(&f.split, "split", false, "run the server in a child process, to measure client and server CPU separately")
	fs.StringVar(&f.server, "server", "", "use the EventStoreDB-protocol server at this address (e.g. petitionledger serve --esdb-listen) instead of starting one")
	fs.IntVar(&f.serverPid, "server-pid", 0, "with --server: the server's process id, to report its CPU")
	fs.StringVar(&f.serveOnly, "serve-only", "", "only serve esdbserver over a fresh embedded store on this address until stdin closes (the child of --split)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if f.events <= 0 || f.batch <= 0 || f.writers <= 0 || f.clients <= 0 || f.singles <= 0 || f.conns < 0 || fs.NArg() > 0 {
		return usageError{"bench esdb: -events, -batch, -writers, -clients and -singles must be positive, -conns not negative; no arguments"}
	}
	if f.split && f.server != "" || f.serverPid != 0 && f.server == "" {
		return usageError{"bench esdb: --split and --server exclude each other; --server-pid needs --server"}
	}
	for _, p := range strings.Split(f.phases, ",") {
		if !slices.Contains(benchESDBPhases, p) {
			return usageError{fmt.Sprintf("bench esdb: --phases: unknown phase %q (want some of %s)", p, strings.Join(benchESDBPhases, ","))}
		}
	}
	if f.serveOnly != "" {
		return serveESDBOnly(ctx, f.serveOnly, f.gc, os.Stdin, stdout)
	}
	if f.conns == 0 || f.conns > f.clients {
		f.conns = f.clients
	}
	dir, err := os.MkdirTemp("", "petitionledger-bench-esdb-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.DiscardHandler)
	served, err := embedded.Open(dir+"/served", embedded.WithLogger(quiet))
	if err != nil {
		return err
	}
	defer served.Close()
	direct, err := embedded.Open(dir+"/direct", embedded.WithLogger(quiet))
	if err != nil {
		return err
	}
	defer direct.Close()
	srv, err := startESDBServer(ctx, f, served, stderr)
	if err != nil {
		return err
	}
	defer srv.stop()
	viaClient, err := newClientTarget(ctx, "esdb://"+srv.addr+"?tls=false", max(f.writers, f.conns))
	if err != nil {
		return err
	}
	defer viaClient.close()
	targets := []esdbTarget{viaClient.target(), directTarget(direct)}
	fmt.Fprintf(stdout, "bench esdb: %d events in batches of %d from %d writers; %d single-event appends from %d clients on %d connections; then read $all\n",
		f.events, f.batch, f.writers, f.singles, f.clients, f.conns)
	fmt.Fprintf(stdout, "server: %s\n", srv.describe)
	fmt.Fprintln(stdout, "events/s is wall-clock; cpu/ev is user+system CPU per event, which contention from other processes")
	fmt.Fprintln(stdout, "disturbs much less: \"esdb cpu/ev\" is this process's (client, plus the server when in-process),")
	fmt.Fprintln(stdout, "\"server cpu/ev\" the server process's when it is separate (10 ms clock ticks).")
	fmt.Fprintf(stdout, "%-28s %16s %16s %8s %14s %14s %16s\n", "phase", "esdb (events/s)", "embedded", "ratio", "esdb cpu/ev", "server cpu/ev", "embedded cpu/ev")
	phases := []struct {
		key, name string
		run       func(esdbTarget) (int, error)
	}{
		{"batch", fmt.Sprintf("append batch=%d x%d", f.batch, f.writers), func(t esdbTarget) (int, error) {
			return runAppends(ctx, t, f.writers, f.events/f.batch, f.batch, "batch")
		}},
		{"single", fmt.Sprintf("append single x%d/%d", f.clients, f.conns), func(t esdbTarget) (int, error) {
			if f.profile != "" && t.name == "esdb" {
				stop, err := startCPUProfile(f.profile)
				if err != nil {
					return 0, err
				}
				defer stop()
			}
			return runAppends(ctx, t, f.clients, f.singles, 1, "single")
		}},
		{"read", "read $all", func(t esdbTarget) (int, error) { return t.readAll(ctx) }},
	}
	// The floor under every esdb number: the cheapest possible gRPC call
	// (ServerFeatures, no Store), from as many connections.
	if f.selected("baseline") {
		_, rate, err := grpcBaseline(ctx, srv, f.clients, f.conns, f.singles)
		if err != nil {
			return fmt.Errorf("gRPC baseline: %w", err)
		}
		fmt.Fprintf(stdout, "%-28s %16.0f %16s %8s %14v %14s %16s\n", fmt.Sprintf("grpc unary baseline x%d/%d", f.clients, f.conns), rate.perSecond(), "-", "-", rate.cpuPerOp(), srv.cpuPerOp(rate), "-")
	}
	for _, p := range phases {
		if !f.selected(p.key) {
			continue
		}
		var rates [2]measured
		for i, t := range targets {
			m := startMeasuringWith(srv.pid)
			n, err := p.run(t)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", p.name, t.name, err)
			}
			rates[i] = m.done(n)
		}
		fmt.Fprintf(stdout, "%-28s %16.0f %16.0f %8.2f %14v %14s %16v\n", p.name, rates[0].perSecond(), rates[1].perSecond(),
			rates[0].perSecond()/rates[1].perSecond(), rates[0].cpuPerOp(), srv.cpuPerOp(rates[0]), rates[1].cpuPerOp())
	}
	return nil
}

// startCPUProfile starts a CPU profile into path; stop ends it.
func startCPUProfile(path string) (stop func(), err error) {
	out, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); _ = out.Close() }, nil
}

// measuring is a measurement under way: wall clock, this process's CPU and
// the server process's (when separate).
type measuring struct {
	start          time.Time
	cpu, serverCPU time.Duration
	serverPid      int
}

// measured is a finished measurement of n operations.
type measured struct {
	n                    int
	wall, cpu, serverCPU time.Duration
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startMeasuring starts measuring this process.
func startMeasuring() measuring { return startMeasuringWith(0) }

// startMeasuringWith starts measuring; serverPid is the server's process,
// or 0 when it is this one or unknown.
func startMeasuringWith(serverPid int) measuring {
	m := measuring{start: time.Now(), cpu: processCPU(), serverPid: serverPid}
	if serverPid != 0 {
		m.serverCPU = cpuTime(serverPid)
	}
	return m
}

func (m measuring) done(n int) measured {
	out := measured{n: n, wall: time.Since(m.start), cpu: processCPU() - m.cpu}
	if m.serverPid != 0 {
		out.serverCPU = cpuTime(m.serverPid) - m.serverCPU
	}
	return out
}

func (m measured) perSecond() float64 { return float64(m.n) / m.wall.Seconds() }

func (m measured) cpuPerOp() time.Duration {
	if m.n == 0 {
		return 0
	}
	return (m.cpu / time.Duration(m.n)).Round(10 * time.Nanosecond)
}

// grpcBaseline makes calls ServerFeatures calls from workers goroutines
// sharing conns connections.
func grpcBaseline(ctx context.Context, srv *esdbServerUnderTest, workers, conns, calls int) (int, measured, error) {
	addr := srv.addr
	clients := make([]serverfeatures.ServerFeaturesClient, conns)
	for i := range clients {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return 0, measured{}, err
		}
		defer cc.Close()
		clients[i] = serverfeatures.NewServerFeaturesClient(cc)
		if _, err := clients[i].GetSupportedMethods(ctx, &shared.Empty{}); err != nil {
			return 0, measured{}, err
		}
	}
	t := esdbTarget{appendTo: func(ctx context.Context, worker int, _ string, _ int) error {
		_, err := clients[worker%conns].GetSupportedMethods(ctx, &shared.Empty{})
		return err
	}}
	m := startMeasuringWith(srv.pid)
	n, err := runAppends(ctx, t, workers, calls, 1, "baseline")
	return n, m.done(n), err
}

// runAppends makes ops appends of n events from workers goroutines, each
// on its own stream, and returns the number of events written.
func runAppends(ctx context.Context, t esdbTarget, workers, ops, n int, prefix string) (int, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("bench-%s-%d", prefix, w)
			for next.Add(1) <= int64(ops) {
				if err := t.appendTo(ctx, w, stream, n); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return ops * n, errors.Join(errs...)
}

var benchESDBPayload = []byte(`{"petition":123456,"constituency":"E14000639","country":"GB","hash":"6f1ed002ab5595859014ebf0951522d9"}`)

func directTarget(s eventstore.Store) esdbTarget {
	return esdbTarget{
		name: "embedded",
		appendTo: func(ctx context.Context, _ int, stream string, n int) error {
			events := make([]eventstore.EventData, n)
			for i := range events {
				events[i] = eventstore.EventData{ID: uuid.New(), Type: "SignatureAdded", ContentType: eventstore.ContentTypeJSON, Data: benchESDBPayload}
			}
			_, err := s.Append(ctx, stream, eventstore.Any{}, events...)
			return err
		},
		readAll: func(ctx context.Context) (int, error) {
			// Page as esdbserver does: each page starts at the last event
			// seen, which is dropped.
			n := 0
			var from eventstore.AllFrom = eventstore.Start{}
			var last *eventstore.Position
			for {
				evs, err := s.ReadAll(ctx, eventstore.ReadAllOptions{From: from, MaxCount: esdbserver.DefaultReadBatchSize + 1})
				if err != nil {
					return n, err
				}
				if last != nil && len(evs) > 0 && evs[0].Position.Compare(*last) <= 0 {
					evs = evs[1:]
				}
				if len(evs) == 0 {
					return n, nil
				}
				n += len(evs)
				p := evs[len(evs)-1].Position
				last, from = &p, p
			}
		},
	}
}

// clientTarget is a pool of official Go clients, one connection each.
type clientTarget struct {
	clients []*client.Client
}

func newClientTarget(ctx context.Context, conn string, n int) (*clientTarget, error) {
	cfg, err := client.ParseConnectionString(conn)
	if err != nil {
		return nil, err
	}
	cfg.Logger = func(client.LogLevel, string, ...any) {}
	t := &clientTarget{}
	for range n {
		c, err := client.NewClient(cfg)
		if err != nil {
			t.close()
			return nil, err
		}
		t.clients = append(t.clients, c)
		// The client connects on first use: do it now, untimed.
		if _, err := c.AppendToStream(ctx, "bench-warm-up", client.AppendToStreamOptions{}, client.EventData{EventType: "WarmUp", Data: []byte("{}")}); err != nil {
			t.close()
			return nil, err
		}
	}
	return t, nil
}

func (t *clientTarget) close() {
	for _, c := range t.clients {
		_ = c.Close()
	}
}

func (t *clientTarget) target() esdbTarget {
	return esdbTarget{
		name: "esdb",
		appendTo: func(ctx context.Context, worker int, stream string, n int) error {
			events := make([]client.EventData, n)
			for i := range events {
				events[i] = client.EventData{EventID: uuid.New(), EventType: "SignatureAdded", ContentType: client.ContentTypeJson, Data: benchESDBPayload}
			}
			_, err := t.clients[worker%len(t.clients)].AppendToStream(ctx, stream, client.AppendToStreamOptions{}, events...)
			return err
		},
		readAll: func(ctx context.Context) (int, error) {
			rs, err := t.clients[0].ReadAll(ctx, client.ReadAllOptions{}, ^uint64(0))
			if err != nil {
				return 0, err
			}
			defer rs.Close()
			n := 0
			for {
				_, err := rs.Recv()
				if errors.Is(err, io.EOF) {
					return n, nil
				}
				if err != nil {
					return n, err
				}
				n++
			}
		},
	}
}
