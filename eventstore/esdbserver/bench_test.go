package esdbserver_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// The benchmarks compare, in one run, the official Go client over loopback
// gRPC to esdbserver on an embedded store ("esdb") with the embedded store
// used in-process ("embedded"). Each reports events/s.

// benchAppender appends events to a stream, one way or the other.
type benchAppender func(ctx context.Context, stream string, n int) error

func benchTargets(b *testing.B, clients int) map[string]func(i int) benchAppender {
	store := testStore(b)
	addr := startServer(b, store, esdbserver.Options{})
	cs := make([]*client.Client, clients)
	for i := range cs {
		cs[i] = newClient(b, "esdb://"+addr+"?tls=false")
		// Connect now (the client connects on first use), outside the
		// timed part.
		if _, err := cs[i].AppendToStream(context.Background(), "warm-up", client.AppendToStreamOptions{}, benchClientEvents(1)...); err != nil {
			b.Fatal(err)
		}
	}
	viaClient := func(i int) benchAppender {
		c := cs[i%len(cs)]
		return func(ctx context.Context, stream string, n int) error {
			_, err := c.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, benchClientEvents(n)...)
			return err
		}
	}
	direct := testStore(b)
	inProcess := func(int) benchAppender {
		return func(ctx context.Context, stream string, n int) error {
			_, err := direct.Append(ctx, stream, eventstore.Any{}, benchStoreEvents(n)...)
			return err
		}
	}
	return map[string]func(int) benchAppender{"esdb": viaClient, "embedded": inProcess}
}

var benchPayload = []byte(`{"petition":123456,"constituency":"E14000639","country":"GB","hash":"6f1ed002ab5595859014ebf0951522d9"}`)

func benchClientEvents(n int) []client.EventData {
	out := make([]client.EventData, n)
	for i := range out {
		out[i] = client.EventData{EventID: uuid.New(), EventType: "SignatureAdded", ContentType: client.ContentTypeJson, Data: benchPayload}
	}
	return out
}

func benchStoreEvents(n int) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = eventstore.EventData{ID: uuid.New(), Type: "SignatureAdded", ContentType: eventstore.ContentTypeJSON, Data: benchPayload}
	}
	return out
}

// runConcurrently runs b.N operations on workers goroutines and reports
// events/s.
func runConcurrently(b *testing.B, workers, eventsPerOp int, op func(worker int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start, cpu := time.Now(), processCPU()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := op(w); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*eventsPerOp)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*eventsPerOp), "cpu-µs/event")
}

// processCPU is the user+system CPU this process has used (client, server
// and store together), which other processes' load disturbs much less than
// wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAppendBatch100 appends batches of 100 events (one op = one
// batch), from 4 concurrent writers on their own streams.
func BenchmarkAppendBatch100(b *testing.B) {
	for _, target := range []string{"esdb", "embedded"} {
		b.Run(target, func(b *testing.B) {
			const writers = 4
			appenders := benchTargets(b, writers)[target]
			ctx := context.Background()
			runConcurrently(b, writers, 100, func(w int) error {
				return appenders(w)(ctx, fmt.Sprintf("batch-%d", w), 100)
			})
		})
	}
}

// BenchmarkAppendSingle256 appends one event per op from 256 concurrent
// clients, each on its own stream: for "esdb", official clients sharing 4
// connections (conns=4, bench esdb's default) or each with its own
// (conns=256).
func BenchmarkAppendSingle256(b *testing.B) {
	const clients = 256
	run := func(b *testing.B, appenders func(int) benchAppender) {
		ctx := context.Background()
		ops := make([]benchAppender, clients)
		for i := range ops {
			ops[i] = appenders(i)
		}
		runConcurrently(b, clients, 1, func(w int) error {
			return ops[w](ctx, fmt.Sprintf("single-%d", w), 1)
		})
	}
	for _, conns := range []int{4, 256} {
		b.Run(fmt.Sprintf("esdb/conns=%d", conns), func(b *testing.B) {
			run(b, benchTargets(b, conns)["esdb"])
		})
	}
	b.Run("embedded", func(b *testing.B) {
		run(b, benchTargets(b, 1)["embedded"])
	})
}

// BenchmarkReadAll reads the whole of a 100,000-event $all (one op = one
// full read).
func BenchmarkReadAll(b *testing.B) {
	const total = 100_000
	store := testStore(b)
	ctx := context.Background()
	for i := 0; i < total; i += 1000 {
		if _, err := store.Append(ctx, fmt.Sprintf("read-%d", i%7), eventstore.Any{}, benchStoreEvents(1000)...); err != nil {
			b.Fatal(err)
		}
	}
	addr := startServer(b, store, esdbserver.Options{})
	c := newClient(b, "esdb://"+addr+"?tls=false")
	b.Run("esdb", func(b *testing.B) {
		b.ResetTimer()
		for range b.N {
			rs, err := c.ReadAll(ctx, client.ReadAllOptions{}, total)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for {
				if _, err := rs.Recv(); err != nil {
					break
				}
				n++
			}
			rs.Close()
			if n != total {
				b.Fatalf("read %d events, want %d", n, total)
			}
		}
		b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "events/s")
	})
	// The generated gRPC client, which decodes each message and nothing
	// more: the server's share of the cost.
	raw := rawClient(b, addr)
	b.Run("raw-grpc", func(b *testing.B) {
		b.ResetTimer()
		for range b.N {
			call, err := raw.Read(ctx, readAllReq(total))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for {
				if _, err := call.Recv(); err != nil {
					break
				}
				n++
			}
			if n != total {
				b.Fatalf("read %d events, want %d", n, total)
			}
		}
		b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("embedded", func(b *testing.B) {
		b.ResetTimer()
		for range b.N {
			// Page as the server does: each page starts at the last
			// event seen, which is dropped.
			n := 0
			var from eventstore.AllFrom = eventstore.Start{}
			var last *eventstore.Position
			for {
				evs, err := store.ReadAll(ctx, eventstore.ReadAllOptions{From: from, MaxCount: esdbserver.DefaultReadBatchSize + 1})
				if err != nil {
					b.Fatal(err)
				}
				if last != nil && len(evs) > 0 && evs[0].Position.Compare(*last) <= 0 {
					evs = evs[1:]
				}
				if len(evs) == 0 {
					break
				}
				n += len(evs)
				p := evs[len(evs)-1].Position
				last, from = &p, p
			}
			if n != total {
				b.Fatalf("read %d events, want %d", n, total)
			}
		}
		b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "events/s")
	})
}
