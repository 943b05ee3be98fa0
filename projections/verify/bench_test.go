package verify

import (
	"context"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
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

// BenchmarkPrepare prepares the demo history page by page as a worker
// does (leaf hashes, scanner, sampled domain check); ns/event is the
// figure to compare.
func BenchmarkPrepare(b *testing.B) {
	evs, streams := demoEvents(b)
	recs := make([]eventstore.RecordedEvent, len(evs))
	for i, ev := range evs {
		recs[i] = eventstore.RecordedEvent{Stream: streams[i], ID: ev.ID, Type: ev.Type, Data: ev.Data, Position: eventstore.Position{Commit: uint64(i)}}
	}
	var w worker
	events := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		first := (i * 4096) % len(recs)
		p := newPage(int64(first), recs[first:min(first+4096, len(recs))])
		w.prepare(Options{}, p)
		if p.err != nil {
			b.Fatal(p.err)
		}
		events += len(p.evs)
		releasePage(p)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}
