package merkle

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// BenchmarkInclusionProof measures proof generation (read O(log n) hashes
// from the file and build the path) on a tree of 1M leaves.
func BenchmarkInclusionProof(b *testing.B) {
	const n = 1 << 20
	tr, err := OpenTree(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	es := make([]Entry, 0, 1<<16)
	for i := 0; i < n; i++ {
		es = append(es, Entry{Hash: leafOf(i), Position: pos(uint64(i + 1))})
		if len(es) == cap(es) {
			if err := tr.Append(es); err != nil {
				b.Fatal(err)
			}
			es = es[:0]
		}
	}
	b.ResetTimer()
	var i atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := (i.Add(7919) * 104729) % n
			if _, err := tr.InclusionProof(k, n); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proofs/s")
}

// BenchmarkAppendWithTree measures embedded-store append throughput (64
// concurrent writers, one event each, group commit) without and with the
// tree follower running on the same store, in the same run. With the tree,
// the timed region ends only when the tree holds every appended event (its
// catch-up counts). cpu-ns/append is the process's user+system CPU per
// append (getrusage: writers, store and follower together), which other
// processes' load disturbs less than wall time; leaves/batch is the mean
// size of the follower's tree appends.
func BenchmarkAppendWithTree(b *testing.B) {
	for _, withTree := range []bool{false, true} {
		b.Run(fmt.Sprintf("tree=%v", withTree), func(b *testing.B) {
			benchAppend(b, withTree)
		})
	}
}

func benchAppend(b *testing.B, withTree bool) {
	dir := b.TempDir()
	s, err := embedded.Open(filepath.Join(dir, "store"), embedded.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var caughtUp <-chan struct{}
	var batches atomic.Int64
	if withTree {
		tr, err := OpenTree(filepath.Join(dir, "tree"))
		if err != nil {
			b.Fatal(err)
		}
		defer tr.Close()
		ctx, cancel := context.WithCancel(context.Background())
		f := NewFollower(s, tr, FollowerConfig{Logger: slog.New(slog.DiscardHandler)})
		reached := make(chan struct{})
		var once sync.Once
		target := int64(b.N)
		f.OnAppend(func(size int64) {
			batches.Add(1)
			if size >= target {
				once.Do(func() { close(reached) })
			}
		})
		done := make(chan error, 1)
		go func() { done <- f.Run(ctx) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				b.Errorf("follower: %v", err)
			}
		}()
		select {
		case <-f.CaughtUp():
		case err := <-done:
			b.Fatalf("follower stopped: %v", err)
		}
		caughtUp = reached
	}
	data := []byte(`{"petition_id":7,"signature_id":"0b6b3a6c-1c1a-4c3e-9f6e-2f0d1e9a7b10","location":{"constituency":"E14000530","country":"GB","region":"E15000007"},"from":"pending","to":"validated"}`)
	b.SetParallelism(32) // 64 writers on 2 cores
	var n atomic.Int64
	cpu0 := processCPU(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			_, err := s.Append(context.Background(), fmt.Sprintf("signer-7-%d", i), eventstore.NoStream{},
				eventstore.EventData{ID: uuid.New(), Type: "SignatureValidated.v1", Data: data})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	if caughtUp != nil {
		<-caughtUp // the tree holds every appended event
	}
	b.StopTimer()
	cpu := processCPU(b) - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/append")
	if withTree {
		b.ReportMetric(float64(b.N)/float64(max(1, batches.Load())), "leaves/batch")
	}
}

// processCPU returns the process's user+system CPU time so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFollowerCatchUp measures the follower's work per event with no
// writer competing: a store of 100,000 signature-sized events is written
// first (untimed), then a follower builds the tree from the start of $all
// until it has caught up. cpu-ns/event is the process's CPU per event
// (getrusage): subscription reads, leaf hashing, interior hashing, writes.
func BenchmarkFollowerCatchUp(b *testing.B) {
	const events = 100_000
	dir := b.TempDir()
	s, err := embedded.Open(filepath.Join(dir, "store"), embedded.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	data := []byte(`{"petition_id":7,"signature_id":"0b6b3a6c-1c1a-4c3e-9f6e-2f0d1e9a7b10","location":{"constituency":"E14000530","country":"GB","region":"E15000007"},"from":"pending","to":"validated"}`)
	for i := 0; i < events; i += 100 {
		evs := make([]eventstore.EventData, 100)
		for k := range evs {
			evs[k] = eventstore.EventData{ID: uuid.New(), Type: "SignatureValidated.v1", Data: data}
		}
		if _, err := s.Append(context.Background(), fmt.Sprintf("signer-7-%d", i), eventstore.NoStream{}, evs...); err != nil {
			b.Fatal(err)
		}
	}
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tr, err := OpenTree(filepath.Join(dir, fmt.Sprintf("tree%d", i)))
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		f := NewFollower(s, tr, FollowerConfig{Logger: slog.New(slog.DiscardHandler)})
		done := make(chan error, 1)
		cpu0 := processCPU(b)
		b.StartTimer()
		go func() { done <- f.Run(ctx) }()
		select {
		case <-f.CaughtUp():
		case err := <-done:
			b.Fatalf("follower stopped: %v", err)
		}
		b.StopTimer()
		cpu += processCPU(b) - cpu0
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		if tr.Size() != events {
			b.Fatalf("tree has %d leaves, want %d", tr.Size(), events)
		}
		tr.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*events), "cpu-ns/event")
}
