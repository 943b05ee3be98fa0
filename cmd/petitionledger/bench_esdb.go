package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
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

func init() {
	registerBench(benchmark{name: "esdb", summary: "the EventStoreDB protocol server: official Go client over loopback vs the embedded store in-process", run: runBenchESDB})
}

// benchESDBFlags configure `petitionledger bench esdb`.
type benchESDBFlags struct {
	events  int // events appended in batches (and then read back)
	batch   int // events per batch append
	writers int // concurrent batch writers
	clients int // concurrent single-event appenders
	conns   int // client connections they share
	singles int // single-event appends in all
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
	fs.IntVar(&f.conns, "conns", 0, "client connections the appenders share (0: one each)")
	fs.IntVar(&f.singles, "singles", 20_000, "single-event appends in all")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if f.events <= 0 || f.batch <= 0 || f.writers <= 0 || f.clients <= 0 || f.singles <= 0 || f.conns < 0 || fs.NArg() > 0 {
		return usageError{"bench esdb: -events, -batch, -writers, -clients and -singles must be positive, -conns not negative; no arguments"}
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
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := esdbserver.New(served, esdbserver.Options{Logger: quiet})
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	viaClient, err := newClientTarget(ctx, "esdb://"+lis.Addr().String()+"?tls=false", max(f.writers, f.conns))
	if err != nil {
		return err
	}
	defer viaClient.close()
	targets := []esdbTarget{viaClient.target(), directTarget(direct)}
	fmt.Fprintf(stdout, "bench esdb: %d events in batches of %d from %d writers; %d single-event appends from %d clients on %d connections; then read $all\n",
		f.events, f.batch, f.writers, f.singles, f.clients, f.conns)
	fmt.Fprintln(stdout, "events/s is wall-clock; cpu is this process's user+system CPU per event (client and server")
	fmt.Fprintln(stdout, "together for esdb), which contention from other processes disturbs much less.")
	fmt.Fprintf(stdout, "%-28s %16s %16s %8s %14s %14s\n", "phase", "esdb (events/s)", "embedded", "ratio", "esdb cpu/ev", "embedded cpu/ev")
	phases := []struct {
		name string
		run  func(esdbTarget) (int, error)
	}{
		{fmt.Sprintf("append batch=%d x%d", f.batch, f.writers), func(t esdbTarget) (int, error) {
			return runAppends(ctx, t, f.writers, f.events/f.batch, f.batch, "batch")
		}},
		{fmt.Sprintf("append single x%d/%d", f.clients, f.conns), func(t esdbTarget) (int, error) {
			return runAppends(ctx, t, f.clients, f.singles, 1, "single")
		}},
		{"read $all", func(t esdbTarget) (int, error) { return t.readAll(ctx) }},
	}
	// The floor under every esdb number: the cheapest possible gRPC call
	// (ServerFeatures, no Store), from as many connections.
	_, rate, err := grpcBaseline(ctx, lis.Addr().String(), f.clients, f.conns, f.singles)
	if err != nil {
		return fmt.Errorf("gRPC baseline: %w", err)
	}
	fmt.Fprintf(stdout, "%-28s %16.0f %16s %8s %14v %14s\n", fmt.Sprintf("grpc unary baseline x%d/%d", f.clients, f.conns), rate.perSecond(), "-", "-", rate.cpuPerOp(), "-")
	for _, p := range phases {
		var rates [2]measured
		for i, t := range targets {
			m := startMeasuring()
			n, err := p.run(t)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", p.name, t.name, err)
			}
			rates[i] = m.done(n)
		}
		fmt.Fprintf(stdout, "%-28s %16.0f %16.0f %8.2f %14v %14v\n", p.name, rates[0].perSecond(), rates[1].perSecond(),
			rates[0].perSecond()/rates[1].perSecond(), rates[0].cpuPerOp(), rates[1].cpuPerOp())
	}
	return nil
}

// measuring is a measurement under way: wall clock and process CPU.
type measuring struct {
	start time.Time
	cpu   time.Duration
}

// measured is a finished measurement of n operations.
type measured struct {
	n         int
	wall, cpu time.Duration
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startMeasuring() measuring { return measuring{start: time.Now(), cpu: processCPU()} }

func (m measuring) done(n int) measured {
	return measured{n: n, wall: time.Since(m.start), cpu: processCPU() - m.cpu}
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
func grpcBaseline(ctx context.Context, addr string, workers, conns, calls int) (int, measured, error) {
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
	m := startMeasuring()
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
