package projections

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
)

// TestCountsFollowsDomainRule compares the fold's counting rule (Unix
// nanoseconds) with domain.Counts on random and boundary times.
func TestCountsFollowsDomainRule(t *testing.T) {
	r := DefaultRules
	base := time.Date(2022, 4, 5, 23, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func() time.Time {
		switch rng.IntN(4) {
		case 0:
			return base
		case 1:
			return base.Add(r.ValidationGrace)
		case 2:
			return base.Add(time.Duration(rng.IntN(3)-1) * time.Nanosecond)
		}
		return base.Add(time.Duration(rng.Int64N(int64(72*time.Hour))) - 36*time.Hour)
	}
	for i := 0; i < 100_000; i++ {
		signed, validated := pick(), pick()
		var closed time.Time
		if rng.IntN(4) != 0 {
			closed = pick()
		}
		want := domain.Counts(domain.CountFacts{State: domain.SigValidated, SignedAt: signed, ValidatedAt: validated}, closed, r.ValidationGrace)
		if got := r.counts(unixNanos(signed), unixNanos(validated), unixNanos(closed)); got != want {
			t.Fatalf("signed %s validated %s closed %s: got %v, domain.Counts says %v", signed, validated, closed, got, want)
		}
	}
}

func TestRulesFromDefaultConfigAreTheDefaults(t *testing.T) {
	if got := RulesFromConfig(domain.DefaultConfig()); got != DefaultRules {
		t.Fatalf("got %+v, want %+v", got, DefaultRules)
	}
}
