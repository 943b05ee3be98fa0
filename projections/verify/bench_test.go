package verify

import (
	"context"
	"testing"
)

// BenchmarkLedger verifies the demo history (about 100,000 events of real
// domain events: read, leaf-hash, compact range, decode and recount) and
// reports the time per event; multiply by 10^7 for 10 million events.
func BenchmarkLedger(b *testing.B) {
	evs, streams := demoEvents(b)
	s := loadRecords(b, evs, streams)
	sv := serve(b, s)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Ledger(context.Background(), Options{Store: s, Checkpoint: sv.cp, Verifier: sv.verifier, History: sv.history}); err != nil {
			b.Fatal(err)
		}
	}
	perEvent := b.Elapsed().Seconds() / float64(b.N) / float64(len(evs))
	b.ReportMetric(perEvent*1e9, "ns/event")
	b.ReportMetric(perEvent*1e7, "s/10M-events")
}
