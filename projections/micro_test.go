package projections

import (
	"testing"

	"github.com/petitionledger/petitionledger/projections/internal/gen"
)

func steadyOpts(seed uint64, petitions, steps int) gen.Options {
	o := genOptions(seed, petitions, steps)
	o.Steady = true
	return o
}

// BenchmarkApplyPerEvent is the fold's cost per event (ns/op), on a
// steady generated history.
func BenchmarkApplyPerEvent(b *testing.B) {
	evs := recorded(b, fill(b, mustHistory(b, steadyOpts(3, 20, 200000))))
	l := newTestLedger(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(evs) == 0 && i > 0 {
			b.StopTimer()
			l = newTestLedger(b)
			b.StartTimer()
		}
		l.Apply(&evs[i%len(evs)])
	}
}
