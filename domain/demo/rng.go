package demo

import (
	"hash/fnv"
	"math/rand/v2"
)

// rng is the demo's random source: PCG (whose output sequence Go
// guarantees) with our own derived helpers, so the history never depends on
// how a Go release implements IntN or Shuffle.
type rng struct{ src *rand.PCG }

// newRNG returns an independent stream for (seed, label): each petition
// draws from its own stream, so changing one script leaves the others'
// draws untouched.
func newRNG(seed uint64, label string) *rng {
	h := fnv.New64a()
	h.Write([]byte(label))
	return &rng{src: rand.NewPCG(seed, h.Sum64())}
}

// intn returns a value in [0, n); n must be positive. The modulo bias is
// below 2⁻⁴⁰ for the sizes used here.
func (r *rng) intn(n int) int { return int(r.src.Uint64() % uint64(n)) }

// float returns a value in [0, 1).
func (r *rng) float() float64 { return float64(r.src.Uint64()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// shuffle permutes n items with Fisher–Yates.
func (r *rng) shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, r.intn(i+1))
	}
}

// apportion splits total into len(weights) whole parts proportional to the
// weights (largest remainder; ties to the lower index), so the parts sum to
// total exactly.
func apportion(total int, weights []float64) []int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	parts := make([]int, len(weights))
	rema := make([]float64, len(weights))
	given := 0
	for i, w := range weights {
		exact := float64(total) * w / sum
		parts[i] = int(exact)
		rema[i] = exact - float64(parts[i])
		given += parts[i]
	}
	for ; given < total; given++ {
		best := 0
		for i := range rema {
			if rema[i] > rema[best] {
				best = i
			}
		}
		parts[best]++
		rema[best] = -1
	}
	return parts
}
