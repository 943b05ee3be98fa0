// Package storebench measures the embedded store: durable appends with
// concurrent writers against a raw write+fsync baseline of the same batch
// sizes, $all reads, and cold open at scale. Both the Go benchmarks of
// package embedded and `petitionledger bench store` use it.
package storebench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// AppendResult is the outcome of an append run.
type AppendResult struct {
	Writers      int
	Events       int
	Elapsed      time.Duration
	EventsPerSec float64
	P50, P99     time.Duration // append latency
	Syncs        int           // group-commit fsyncs
	SyncSizes    []int         // records per fsync, in order
	SyncTime     time.Duration // total time inside fsync
	Bytes        int64         // log bytes written
	CPU          time.Duration // process CPU time (user+system) of the run, clients included
}

// Appends runs writers goroutines, each appending one event of dataSize
// bytes at a time to a new stream with NoStream, until events are written.
func Appends(dir string, writers, events, dataSize int) (AppendResult, error) {
	var mu sync.Mutex
	var sizes []int
	var syncTime time.Duration
	s, err := embedded.Open(dir, embedded.WithLogger(quiet()), embedded.WithSyncObserver(func(d time.Duration, records int) {
		mu.Lock()
		sizes = append(sizes, records)
		syncTime += d
		mu.Unlock()
	}))
	if err != nil {
		return AppendResult{}, err
	}
	data := payload(dataSize)
	lat := make([]time.Duration, events)
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), cpuTime()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for {
				i := next.Add(1) - 1
				if i >= int64(events) {
					return
				}
				ev := eventstore.EventData{ID: uuid.New(), Type: "SignatureAdded.v1", Data: data}
				t0 := time.Now()
				_, err := s.Append(ctx, fmt.Sprintf("bench-%d-%d", w, i), eventstore.NoStream{}, ev)
				lat[i] = time.Since(t0)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	if err := s.Close(); err != nil {
		return AppendResult{}, err
	}
	if err, _ := firstErr.Load().(error); err != nil {
		return AppendResult{}, err
	}
	slices.Sort(lat)
	return AppendResult{
		Writers: writers, Events: events, Elapsed: elapsed,
		EventsPerSec: float64(events) / elapsed.Seconds(),
		P50:          lat[len(lat)/2], P99: lat[len(lat)*99/100],
		Syncs: len(sizes), SyncSizes: sizes, SyncTime: syncTime, Bytes: logBytes(dir), CPU: cpu,
	}, nil
}

// RawResult is the outcome of the raw write+fsync baseline.
type RawResult struct {
	Events       int
	Elapsed      time.Duration
	EventsPerSec float64
}

// RawWriteFsync writes totalBytes to one new file in len(batches) writes,
// write i holding batches[i] events' worth of bytes, with one fdatasync
// (the call the store makes) after each write: the same batching the store
// achieved, with nothing else.
func RawWriteFsync(dir string, batches []int, totalBytes int64) (RawResult, error) {
	events := 0
	for _, b := range batches {
		events += b
	}
	if events == 0 {
		return RawResult{}, fmt.Errorf("storebench: no batches")
	}
	per := totalBytes / int64(events)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return RawResult{}, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "raw.log"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return RawResult{}, err
	}
	defer f.Close()
	buf := make([]byte, int64(slices.Max(batches))*per)
	for i := range buf {
		buf[i] = byte(i)
	}
	start := time.Now()
	for _, b := range batches {
		if _, err := f.Write(buf[:int64(b)*per]); err != nil {
			return RawResult{}, err
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil { // the store's sync call
			return RawResult{}, err
		}
	}
	elapsed := time.Since(start)
	return RawResult{Events: events, Elapsed: elapsed, EventsPerSec: float64(events) / elapsed.Seconds()}, nil
}

// ReadAllResult is the outcome of a $all read.
type ReadAllResult struct {
	Events       int
	Elapsed      time.Duration
	EventsPerSec float64
	// CPU is the process CPU time (user+system) of the pass: on a shared
	// machine, Events/CPU says what one core does when it is not waiting.
	CPU             time.Duration
	EventsPerCPUSec float64
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReadAll reads the whole $all log of the store in dir forwards, in pages
// of page events, after one warm-up pass.
func ReadAll(dir string, page uint64) (ReadAllResult, error) {
	s, err := embedded.Open(dir, embedded.WithLogger(quiet()))
	if err != nil {
		return ReadAllResult{}, err
	}
	defer s.Close()
	var res ReadAllResult
	for pass := range 2 {
		n := 0
		start, cpu0 := time.Now(), cpuTime()
		var from eventstore.AllFrom = eventstore.Start{}
		for {
			recs, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{From: from, MaxCount: page})
			if err != nil {
				return ReadAllResult{}, err
			}
			if n > 0 && len(recs) > 0 {
				recs = recs[1:] // the page starts with the last event seen
			}
			if len(recs) == 0 {
				break
			}
			n += len(recs)
			from = recs[len(recs)-1].Position
		}
		if pass == 1 {
			res = ReadAllResult{Events: n, Elapsed: time.Since(start), CPU: cpuTime() - cpu0}
			res.EventsPerSec = float64(n) / res.Elapsed.Seconds()
			res.EventsPerCPUSec = float64(n) / res.CPU.Seconds()
		}
	}
	return res, nil
}

func payload(n int) []byte {
	b := make([]byte, n)
	b[0] = '"'
	for i := 1; i < n-1; i++ {
		b[i] = 'a' + byte(i%26)
	}
	b[n-1] = '"'
	return b
}

func logBytes(dir string) int64 {
	segs, _ := filepath.Glob(filepath.Join(dir, "seg-*.log"))
	var n int64
	for _, s := range segs {
		if st, err := os.Stat(s); err == nil {
			n += st.Size()
		}
	}
	return n
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
