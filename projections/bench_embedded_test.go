package projections

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
	b.Helper()
	dir := os.Getenv("PROJECTIONS_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	dir = filepath.Join(dir, fmt.Sprintf("store-%d", n))
	s, err := embedded.Open(dir, embedded.WithLogger(quietLog))
	if err != nil {
		b.Fatal(err)
	}
	if end, err := endOfAll(context.Background(), s); err == nil && end.Commit > 0 {
		evs, _ := s.ReadAll(context.Background(), eventstore.ReadAllOptions{})
		return s, len(evs)
	}
	o := genOptions(77, 20, n)
	o.Steady = true
	h, err := gen.History(o)
	if err != nil {
		b.Fatal(err)
	}
	for k := 0; k*1000 < len(h); k++ {
		chunk := h[k*1000 : min(len(h), (k+1)*1000)]
		evs := make([]eventstore.EventData, len(chunk))
		for i, a := range chunk {
			evs[i] = a.Event
		}
		if _, err := s.Append(context.Background(), fmt.Sprintf("bench-%d", k), eventstore.NoStream{}, evs...); err != nil {
			b.Fatal(err)
		}
	}
	return s, len(h)
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
		v, err := Rebuild(context.Background(), Config{Store: s, Dir: b.TempDir(), Places: testPlaces(b), Rules: testRules, Logger: quietLog},
			time.Hour, nil)
		if err != nil {
			b.Fatal(err)
		}
		if int(v.EventsApplied()) != n {
			b.Fatalf("applied %d of %d", v.EventsApplied(), n)
		}
		b.ReportMetric(float64(n), "events")
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
		b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "events/cpu-s")
	}
}
