package projections

import (
	"context"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/projections/internal/gen"
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkLiveLagEmbedded appends signature events to an embedded store at
// PROJECTIONS_LAG_RATE events/s (default 20,000) for PROJECTIONS_LAG_SECONDS
// (default 5) from 512 concurrent writers (so group commit can keep up),
// while a Runner follows. Each writer measures the time from its
// acknowledged append to a view that reflects it (WaitFor). Reported:
// achieved rate, p50 and p99 lag.
func BenchmarkLiveLagEmbedded(b *testing.B) {
	rate, seconds := envInt("PROJECTIONS_LAG_RATE", 20_000), envInt("PROJECTIONS_LAG_SECONDS", 5)
	h, err := gen.History(steadyOptions(79, 20, rate*seconds*100/88))
	if err != nil {
		b.Fatal(err)
	}
	s, err := embedded.Open(b.TempDir(), embedded.WithLogger(quietLog))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// Petition creation and moderation go first, in order: everything up
	// to the last moderation outcome of the generator's creation phase.
	first := 0
	for i := 0; i < min(len(h), 20*40); i++ {
		switch h[i].Event.Type {
		case domain.TypePetitionPublished, domain.TypePetitionRejected, domain.TypePetitionFlagged:
			first = i + 1
		}
	}
	for i := 0; i < first; i++ {
		if _, err := s.Append(context.Background(), h[i].Stream, eventstore.Any{}, h[i].Event); err != nil {
			b.Fatal(err)
		}
	}
	r, err := NewRunner(Config{Store: s, Dir: b.TempDir(), Places: testPlaces(b), Rules: testRules, Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	work := make(chan int, 4096)
	var mu sync.Mutex
	var lags []time.Duration
	var wg sync.WaitGroup
	for w := 0; w < 512; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := range work {
				res, err := s.Append(context.Background(), h[i].Stream, eventstore.Any{}, h[i].Event)
				if err != nil {
					b.Error(err)
					return
				}
				acked := time.Now()
				if _, err := r.WaitFor(context.Background(), res.Position); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(acked))
			}
			mu.Lock()
			lags = append(lags, mine...)
			mu.Unlock()
		}()
	}
	b.ResetTimer()
	start := time.Now()
	tick := time.NewTicker(time.Millisecond)
	next, total := first, min(len(h), first+rate*seconds)
	for next < total {
		<-tick.C
		due := first + int(time.Since(start).Seconds()*float64(rate))
		for ; next < min(due, total); next++ {
			work <- next
		}
	}
	tick.Stop()
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	if len(lags) == 0 {
		b.Fatal("no appends measured")
	}
	slices.Sort(lags)
	b.ReportMetric(float64(len(lags))/elapsed.Seconds(), "appends/s")
	b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds())/1000, "p99-ms")
}
