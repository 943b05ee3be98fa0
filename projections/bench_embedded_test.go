package projections

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/projections/internal/gen"
)

// embeddedBenchStore writes a steady generated history of about n events
// into an embedded store under dir (kept between runs in
// PROJECTIONS_BENCH_DIR when set, so a 10M history is written once).
// Events go in order, 1,000 per append, to streams "bench-<k>": the fold
// reads petitions from event bodies, so stream names do not matter.
func embeddedBenchStore(b *testing.B, n int) (*embedded.Store, int) {
	return embeddedBenchStoreWith(b, "rebuild", steadyOptions(77, 20, n))
}

func embeddedBenchStoreWith(b *testing.B, name string, o gen.Options) (*embedded.Store, int) {
	b.Helper()
	dir := os.Getenv("PROJECTIONS_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	dir = filepath.Join(dir, fmt.Sprintf("%s-%d-%d-%d", name, o.Seed, o.Petitions, o.Steps))
	s, err := embedded.Open(dir, embedded.WithLogger(quietLog))
	if err != nil {
		b.Fatal(err)
	}
	if end, err := endOfAll(context.Background(), s); err == nil && end.Commit > 0 {
		n, _ := strconv.Atoi(string(mustRead(b, filepath.Join(dir, "events.count"))))
		return s, n
	}
	var chunk []eventstore.EventData
	n, k := 0, 0
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		_, err := s.Append(context.Background(), fmt.Sprintf("bench-%d", k), eventstore.NoStream{}, chunk...)
		chunk, k = chunk[:0], k+1
		return err
	}
	err = gen.Stream(o, func(a gen.Append) error {
		n++
		chunk = append(chunk, a.Event)
		if len(chunk) == 1000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "events.count"), []byte(strconv.Itoa(n)), 0o644); err != nil {
		b.Fatal(err)
	}
	return s, n
}

// BenchmarkRebuildEmbedded rebuilds every projection from zero over an
// embedded store holding PROJECTIONS_BENCH_EVENTS (default 1M) steps.
func BenchmarkRebuildEmbedded(b *testing.B) {
	s, n := embeddedBenchStore(b, benchEvents())
	defer s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cpu0 := cpuTime()
		start := time.Now()
		v, err := Rebuild(context.Background(), Config{Store: s, Dir: b.TempDir(), Places: testPlaces(b), Rules: testRules, Logger: quietLog,
			StoreFilter: os.Getenv("PROJECTIONS_STORE_FILTER") != "0"}, time.Hour, nil)
		if err != nil {
			b.Fatal(err)
		}
		if v.Position().Commit == 0 {
			b.Fatalf("nothing applied")
		}
		b.ReportMetric(float64(n), "events")
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
		b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "events/cpu-s")
	}
}

// BenchmarkAsOfOnePetitionEmbedded replays, as of the middle and the end of
// the log, one petition whose trail has about PROJECTIONS_ASOF_SIGNATURES
// (default 1M) counted signatures, on the embedded store.
func BenchmarkAsOfOnePetitionEmbedded(b *testing.B) {
	want := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("PROJECTIONS_ASOF_SIGNATURES")); err == nil && n > 0 {
		want = n
	}
	// About 43% of steady steps validate a signature and 8% remove one.
	s, _ := embeddedBenchStoreWith(b, "asof", steadyOptions(78, 1, want*100/35))
	defer s.Close()
	v, err := Rebuild(context.Background(), Config{Store: s, Dir: b.TempDir(), Places: testPlaces(b), Rules: testRules, Logger: quietLog}, time.Hour, nil)
	if err != nil {
		b.Fatal(err)
	}
	p := v.at(0)
	mid := eventstore.Position{Commit: v.Position().Commit / 2, Prepare: v.Position().Prepare / 2}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, pos := range []eventstore.Position{mid, v.Position()} {
			start := time.Now()
			got, ok, err := v.AsOfPosition(context.Background(), p.ID, pos)
			if err != nil || !ok {
				b.Fatalf("as-of: %v %v", err, ok)
			}
			if pos == v.Position() && got.SignatureCount != p.SignatureCount {
				b.Fatalf("as-of at the end: %d signatures, want %d", got.SignatureCount, p.SignatureCount)
			}
			b.ReportMetric(float64(p.SignatureCount), "signatures")
			b.ReportMetric(float64(p.AuditLen), "trail-entries")
			if pos == v.Position() {
				b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-full-replay")
			} else {
				b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-half-replay")
			}
		}
	}
}

func steadyOptions(seed uint64, petitions, steps int) gen.Options {
	o := genOptions(seed, petitions, steps)
	o.Steady = true
	return o
}
