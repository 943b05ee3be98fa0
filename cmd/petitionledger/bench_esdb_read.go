package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

func init() {
	registerBench(benchmark{
		name:    "esdb-read",
		summary: "read $all through the official Go client with the client in its own process: client and server CPU per event apart",
		run:     runBenchESDBRead,
	})
}

// benchESDBReadFlags configure `petitionledger bench esdb-read`.
type benchESDBReadFlags struct {
	events int    // events in the store, read back each repetition
	reps   int    // full reads of $all
	client string // internal: run as the client process against this connection string
}

// readRep is one full read of $all, as the client process reports it.
type readRep struct {
	Events int           `json:"events"`
	Wall   time.Duration `json:"wall_ns"`
	CPU    time.Duration `json:"cpu_ns"`
}

func runBenchESDBRead(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench esdb-read", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f benchESDBReadFlags
	fs.IntVar(&f.events, "events", 500_000, "events in the store, all read back by each repetition")
	fs.IntVar(&f.reps, "reps", 3, "full reads of $all, each way")
	fs.StringVar(&f.client, "client-of", "", "internal: be the client process, reading from this esdb:// connection string")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if f.events <= 0 || f.reps <= 0 || fs.NArg() > 0 {
		return usageError{"bench esdb-read: -events and -reps must be positive; no arguments"}
	}
	if f.client != "" {
		return runReadClientProcess(ctx, f, stdout)
	}
	return runReadServerProcess(ctx, f, stdout, stderr)
}

// runReadServerProcess fills a store, serves it, reads it through the
// official client in this process, then through a child process, and
// prints both.
func runReadServerProcess(ctx context.Context, f benchESDBReadFlags, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "petitionledger-bench-esdb-read-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.DiscardHandler)
	store, err := embedded.Open(dir, embedded.WithLogger(quiet))
	if err != nil {
		return err
	}
	defer store.Close()
	if err := fillForRead(ctx, store, f.events); err != nil {
		return err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := esdbserver.New(store, esdbserver.Options{Logger: quiet})
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn := "esdb://" + lis.Addr().String() + "?tls=false"
	fmt.Fprintf(stdout, "bench esdb-read: %d events (%d-byte payloads) read from $all %d times each way through the official Go client\n", f.events, len(benchESDBPayload), f.reps)
	fmt.Fprintf(stdout, "%-14s %10s %12s %12s %12s %16s\n", "client runs in", "events/s", "client cpu", "server cpu", "cpu/event", "2-core ceiling/s")
	if err := readInProcess(ctx, conn, f, stdout); err != nil {
		return err
	}
	return readInChild(ctx, conn, f, stdout, stderr)
}

// fillForRead appends n events in batches of 1,000 to 100 streams.
func fillForRead(ctx context.Context, s eventstore.Store, n int) error {
	for i := 0; i < n; i += 1000 {
		events := make([]eventstore.EventData, min(1000, n-i))
		for j := range events {
			events[j] = eventstore.EventData{ID: uuid.New(), Type: "SignatureAdded", ContentType: eventstore.ContentTypeJSON, Data: benchESDBPayload}
		}
		if _, err := s.Append(ctx, fmt.Sprintf("bench-read-%d", (i/1000)%100), eventstore.Any{}, events...); err != nil {
			return fmt.Errorf("fill: %w", err)
		}
	}
	return nil
}

// readInProcess reads with the client in this process: the CPU is client
// and server together.
func readInProcess(ctx context.Context, conn string, f benchESDBReadFlags, stdout io.Writer) error {
	c, err := newReadClient(conn)
	if err != nil {
		return err
	}
	defer c.Close()
	for range f.reps {
		rep, err := readAllOnce(ctx, c)
		if err != nil {
			return err
		}
		perEvent := (rep.CPU / time.Duration(rep.Events)).Round(10 * time.Nanosecond)
		fmt.Fprintf(stdout, "%-14s %10.0f %12s %12s %12s %16.0f\n", "server process", rep.rate(), "-", "-", perEvent, 2/perEvent.Seconds())
	}
	return nil
}

// readInChild runs the client as a child process, which reports each read's
// CPU; this process's CPU over the same read is the server's.
func readInChild(ctx context.Context, conn string, f benchESDBReadFlags, stdout, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe, "bench", "esdb-read", "-events", fmt.Sprint(f.events), "-reps", fmt.Sprint(f.reps), "-client-of", conn)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start client process: %w", err)
	}
	lines := bufio.NewScanner(out)
	serverCPU := processCPU()
	for lines.Scan() {
		var rep readRep
		if err := json.Unmarshal(lines.Bytes(), &rep); err != nil || rep.Events == 0 {
			_ = cmd.Process.Kill()
			return fmt.Errorf("client process said %q: %v", lines.Text(), err)
		}
		now := processCPU()
		server := ((now - serverCPU) / time.Duration(rep.Events)).Round(10 * time.Nanosecond)
		serverCPU = now
		client := (rep.CPU / time.Duration(rep.Events)).Round(10 * time.Nanosecond)
		fmt.Fprintf(stdout, "%-14s %10.0f %12s %12s %12s %16.0f\n", "own process", rep.rate(), client, server, client+server, 2/(client+server).Seconds())
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("client process: %w", err)
	}
	fmt.Fprintln(stdout, "cpu is user+system CPU per event; 2-core ceiling = 2 CPU-seconds per second / cpu per event.")
	fmt.Fprintln(stdout, "With a server that cost nothing, the client's own CPU would still cap the rate at 2 / client cpu.")
	return nil
}

// runReadClientProcess is the child: it reads $all f.reps times and prints
// one JSON readRep per read.
func runReadClientProcess(ctx context.Context, f benchESDBReadFlags, stdout io.Writer) error {
	c, err := newReadClient(f.client)
	if err != nil {
		return err
	}
	defer c.Close()
	enc := json.NewEncoder(stdout)
	for range f.reps {
		rep, err := readAllOnce(ctx, c)
		if err != nil {
			return err
		}
		if rep.Events != f.events {
			return fmt.Errorf("bench esdb-read: read %d events, want %d", rep.Events, f.events)
		}
		if err := enc.Encode(rep); err != nil {
			return err
		}
	}
	return nil
}

func newReadClient(conn string) (*client.Client, error) {
	cfg, err := client.ParseConnectionString(conn)
	if err != nil {
		return nil, err
	}
	cfg.Logger = func(client.LogLevel, string, ...any) {}
	return client.NewClient(cfg)
}

// readAllOnce reads the whole of $all forwards and measures it.
func readAllOnce(ctx context.Context, c *client.Client) (readRep, error) {
	m := startMeasuring()
	rs, err := c.ReadAll(ctx, client.ReadAllOptions{}, ^uint64(0))
	if err != nil {
		return readRep{}, err
	}
	defer rs.Close()
	n := 0
	for {
		_, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return readRep{}, err
		}
		n++
	}
	done := m.done(n)
	return readRep{Events: n, Wall: done.wall, CPU: done.cpu}, nil
}

func (r readRep) rate() float64 { return float64(r.Events) / r.Wall.Seconds() }
