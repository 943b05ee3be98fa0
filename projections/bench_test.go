package projections

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// benchEvents is the size of the generated history the benchmarks fold;
// PROJECTIONS_BENCH_EVENTS overrides it (e.g. 10000000).
func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("PROJECTIONS_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var (
	benchOnce  sync.Once
	benchStore *embedded.Store
	benchLen   int
)

// benchHistory returns an embedded store holding the generated history
// and its number of events, built once per test binary (1,000 events per
// append) in a directory removed when the binary exits (TestMain).
func benchHistory(b *testing.B) (*embedded.Store, int) {
	benchOnce.Do(func() {
		n := benchEvents()
		o := genOptions(99, 20, n)
		o.Steady = true
		h := mustHistory(b, o)
		s, err := embedded.Open(sharedDir(b, "bench"), embedded.WithLogger(quietLog))
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(h); i += 1000 {
			var evs []eventstore.EventData
			for _, a := range h[i:min(len(h), i+1000)] {
				evs = append(evs, a.Event)
			}
			if _, err := s.Append(context.Background(), fmt.Sprintf("bench-%d", i/1000), eventstore.NoStream{}, evs...); err != nil {
				b.Fatal(err)
			}
		}
		benchStore, benchLen = s, len(h)
		atExit(func() { _ = s.Close() })
	})
	if benchStore == nil {
		b.Fatal("the benchmark history could not be built (see the first benchmark's error)")
	}
	return benchStore, benchLen
}

// BenchmarkRebuild folds the whole generated history through the Runner
// (subscription, batches, publication, audit files, final checkpoint).
func BenchmarkRebuild(b *testing.B) {
	store, n := benchHistory(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		cpu0 := cpuTime()
		start := time.Now()
		v, err := Rebuild(context.Background(), Config{Store: store, Dir: dir, Places: testPlaces(b), Rules: testRules, Logger: quietLog},
			time.Hour, nil)
		if err != nil {
			b.Fatal(err)
		}
		if int(v.EventsApplied()) != n {
			b.Fatalf("applied %d of %d", v.EventsApplied(), n)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
		b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "events/cpu-s")
	}
}

// cpuTime is the process's user + system CPU time: on a shared, busy
// machine, events per CPU-second is steadier than events per wall second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLedgerApply is the fold alone, without the store.
func BenchmarkLedgerApply(b *testing.B) {
	store, _ := benchHistory(b)
	evs := recorded(b, store)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l := newTestLedger(b)
		cpu0 := cpuTime()
		start := time.Now()
		for j := range evs {
			l.Apply(&evs[j])
			if j%4096 == 4095 { // as the Runner does after each batch
				if err := l.audit.flush(); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := l.audit.flush(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(evs))/time.Since(start).Seconds(), "events/s")
		b.ReportMetric(float64(len(evs))/(cpuTime()-cpu0).Seconds(), "events/cpu-s")
	}
}

// BenchmarkAsOf replays the petition with the longest trail as of its last
// position.
func BenchmarkAsOf(b *testing.B) {
	store, _ := benchHistory(b)
	v, err := Rebuild(context.Background(), Config{Store: store, Dir: b.TempDir(), Places: testPlaces(b), Rules: testRules, Logger: quietLog}, time.Hour, nil)
	if err != nil {
		b.Fatal(err)
	}
	best := v.at(0)
	for o := 1; o < v.Len(); o++ {
		if s := v.at(o); s.AuditLen > best.AuditLen {
			best = s
		}
	}
	b.ReportMetric(float64(best.AuditLen), "trail-entries")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, ok, err := v.AsOfPosition(context.Background(), best.ID, v.Position())
		if err != nil || !ok || got.SignatureCount != best.SignatureCount {
			b.Fatalf("as-of: %v %v %d != %d", err, ok, got.SignatureCount, best.SignatureCount)
		}
	}
}

// BenchmarkLiveLag appends signatures one at a time and measures the time
// from the acknowledged append to the view showing it (p50/p99).
func BenchmarkLiveLag(b *testing.B) {
	h := mustHistory(b, genOptions(5, 4, max(b.N, 2000)))
	store := openStore(b)
	r, err := NewRunner(Config{Store: store, Dir: b.TempDir(), Places: testPlaces(b), Rules: testRules, Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	lags := make([]time.Duration, 0, len(h))
	b.ResetTimer()
	for _, a := range h {
		res, err := store.Append(context.Background(), a.Stream, eventstore.Any{}, a.Event)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := r.WaitFor(context.Background(), res.Position); err != nil {
			b.Fatal(err)
		}
		lags = append(lags, time.Since(t0))
	}
	b.StopTimer()
	cancel()
	<-done
	slices.Sort(lags)
	b.ReportMetric(float64(lags[len(lags)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds()), "p99-µs")
}
