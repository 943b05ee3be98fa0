package esdb_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// benchStore returns one of the two stores the benchmarks compare in one
// run: "esdb", the esdb backend over loopback gRPC to esdbserver on an
// embedded store, or "embedded", an embedded store used directly.
func benchStore(b *testing.B, name string) eventstore.Store {
	if name == "esdb" {
		n := startNode(b, b.TempDir(), "127.0.0.1:0")
		return openBackend(b, n.addr)
	}
	direct, err := embedded.Open(b.TempDir(), embedded.WithLogger(quietLogger()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = direct.Close() })
	return direct
}

// BenchmarkAppend measures one-event appends with an Exact expectation, one
// stream per goroutine, at 1 and 8 concurrent writers.
func BenchmarkAppend(b *testing.B) {
	for _, name := range []string{"esdb", "embedded"} {
		for _, writers := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/writers=%d", name, writers), func(b *testing.B) {
				s := benchStore(b, name)
				var next atomic.Int64
				b.SetParallelism(writers)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					stream := fmt.Sprintf("bench-%d", next.Add(1))
					var expected eventstore.ExpectedRevision = eventstore.NoStream{}
					for pb.Next() {
						res, err := s.Append(context.Background(), stream, expected,
							eventstore.EventData{ID: uuid.New(), Type: "SignatureAdded", Data: []byte(`{"petition":1}`)})
						if err != nil {
							b.Error(err)
							return
						}
						expected = eventstore.Exact(res.NextRevision)
					}
				})
			})
		}
	}
}

// BenchmarkReadStream measures reading a 100-event stream.
func BenchmarkReadStream(b *testing.B) {
	for _, name := range []string{"esdb", "embedded"} {
		b.Run(name, func(b *testing.B) {
			s := benchStore(b, name)
			evs := make([]eventstore.EventData, 100)
			for i := range evs {
				evs[i] = eventstore.EventData{ID: uuid.New(), Type: "SignatureAdded", Data: []byte(`{"petition":1}`)}
			}
			if _, err := s.Append(context.Background(), "read", eventstore.NoStream{}, evs...); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				got, err := s.ReadStream(context.Background(), "read", eventstore.ReadStreamOptions{})
				if err != nil || len(got) != 100 {
					b.Fatalf("got %d events, %v", len(got), err)
				}
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
