package embedded_test

import (
	"context"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"

	"github.com/petitionledger/petitionledger/eventstore/embedded/storebench"
)

// BenchmarkDurableAppend: each writer appends one 300-byte event at a time
// to its own new stream (NoStream), durable on return. The raw metric
// raw-ev/s is a plain write+fsync loop over the same bytes with the same
// batch sizes, measured right after in the same run.
func BenchmarkDurableAppend(b *testing.B) {
	for _, writers := range []int{1, 16, 256} {
		b.Run(benchName("writers", writers), func(b *testing.B) {
			events := max(b.N, writers)
			res, err := storebench.Appends(b.TempDir(), writers, events, 300)
			if err != nil {
				b.Fatal(err)
			}
			raw, err := storebench.RawWriteFsync(b.TempDir(), res.SyncSizes, res.Bytes)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.EventsPerSec, "ev/s")
			b.ReportMetric(raw.EventsPerSec, "raw-ev/s")
			b.ReportMetric(float64(res.P50.Microseconds()), "p50-µs")
			b.ReportMetric(float64(res.P99.Microseconds()), "p99-µs")
			b.ReportMetric(float64(events)/float64(res.Syncs), "ev/fsync")
			b.ReportMetric(float64(res.CPU.Microseconds())/float64(events), "cpu-µs/ev")
			b.ReportMetric(100*res.SyncTime.Seconds()/res.Elapsed.Seconds(), "%in-fsync")
			b.ReportMetric(raw.Elapsed.Seconds()/res.Elapsed.Seconds(), "raw/store-time")
		})
	}
}

// BenchmarkReadAllForwards reads a warm $all of 300-byte events in pages
// of 4096; one op is one event.
func BenchmarkReadAllForwards(b *testing.B) {
	dir := b.TempDir()
	if _, err := storebench.Appends(dir, 256, 50000, 300); err != nil {
		b.Fatal(err)
	}
	s := openDir(b, dir)
	defer s.Close()
	ctx := context.Background()
	var from eventstore.AllFrom = eventstore.Start{}
	n := 0
	b.ResetTimer()
	for n < b.N {
		recs, err := s.ReadAll(ctx, eventstore.ReadAllOptions{From: from, MaxCount: 4096})
		if err != nil {
			b.Fatal(err)
		}
		if len(recs) <= 1 {
			from = eventstore.Start{}
			continue
		}
		n += len(recs) - 1
		from = recs[len(recs)-1].Position
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ev/s")
}

func benchName(k string, v int) string {
	return k + "=" + itoa(v)
}

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 10 {
		b = append([]byte{byte('0' + v%10)}, b...)
	}
	return string(b)
}
