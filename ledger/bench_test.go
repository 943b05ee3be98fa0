package ledger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/storetest/memstore"
	"github.com/petitionledger/petitionledger/ledger"
)

// BenchmarkSign measures Sign end to end (validate, hash, seal, read the
// petition and signer streams, decide, append) with b.N distinct signers,
// sequentially and from parallel goroutines, on each backend.
func BenchmarkSign(b *testing.B) {
	for name, open := range benchBackends(b) {
		for _, parallel := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/parallel=%v", name, parallel), func(b *testing.B) {
				f := newFixture(b, open(b))
				f.clock.Advance(time.Hour)
				id := f.openPetition(b)
				var n atomic.Int64
				sign := func() {
					i := n.Add(1)
					in := domain.SignerInput{Name: "Bench", Email: fmt.Sprintf("bench%d@example.org", i),
						Postcode: "SW1A 1AA", Country: "GB", IP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}
					if _, err := f.svc.Sign(context.Background(), ledger.SignRequest{PetitionID: id, Signer: in}); err != nil {
						b.Error(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				if parallel {
					b.SetParallelism(8)
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							sign()
						}
					})
				} else {
					for i := 0; i < b.N; i++ {
						sign()
					}
				}
			})
		}
	}
}

// benchBackends lists the stores to benchmark on.
func benchBackends(b *testing.B) map[string]func(b *testing.B) eventstore.Store {
	return map[string]func(b *testing.B) eventstore.Store{
		"mem":      func(*testing.B) eventstore.Store { return memstore.New() },
		"embedded": func(b *testing.B) eventstore.Store { return openEmbedded(b) },
	}
}
