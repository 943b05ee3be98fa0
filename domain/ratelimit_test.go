package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
)

func TestRateLimiter(t *testing.T) {
	rules := domain.DefaultConfig().Rate
	s := time.Second
	tests := []struct {
		name     string
		attempts []time.Duration // offsets from t0, same IP and petition
		want     []string
	}{
		{"One", []time.Duration{0}, []string{""}},
		{"TwoWithin60s", []time.Duration{0, 59 * s}, []string{"", domain.ReasonRateBurst}},
		{"TwoAt60sApart", []time.Duration{0, 60 * s}, []string{"", ""}},
		{"FiveAt60sSpacing", []time.Duration{0, 60 * s, 120 * s, 180 * s, 240 * s},
			[]string{"", "", "", "", ""}},
		{"SixthIn300sIsBurstFirst", []time.Duration{0, 60 * s, 120 * s, 180 * s, 240 * s, 270 * s},
			[]string{"", "", "", "", "", domain.ReasonRateBurst}},
		{"OverLimitAttemptsStillCount", []time.Duration{0, 10 * s, 70 * s}, []string{"", domain.ReasonRateBurst, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := domain.NewRateLimiter(rules)
			for i, off := range tt.attempts {
				if got := l.Attempt("iphash", 1, t0.Add(off)); got != tt.want[i] {
					t.Errorf("attempt %d at +%v = %q, want %q", i, off, got, tt.want[i])
				}
			}
		})
	}
	t.Run("Sustained", func(t *testing.T) {
		loose := rules
		loose.Burst.Max = 10 // only the sustained rule can trip
		l := domain.NewRateLimiter(loose)
		offs := []time.Duration{0, 50 * s, 100 * s, 150 * s, 200 * s, 299 * s, 320 * s}
		want := []string{"", "", "", "", "", domain.ReasonRateSustained, domain.ReasonRateSustained}
		for i, off := range offs {
			if got := l.Attempt("ip", 1, t0.Add(off)); got != want[i] {
				t.Errorf("attempt %d at +%v = %q, want %q", i, off, got, want[i])
			}
		}
		if got := l.Attempt("ip", 1, t0.Add(700*s)); got != "" {
			t.Errorf("after the window = %q, want allowed", got)
		}
	})
	t.Run("PerPetitionAndIP", func(t *testing.T) {
		l := domain.NewRateLimiter(rules)
		for _, k := range []struct {
			ip string
			p  int64
		}{{"a", 1}, {"a", 2}, {"b", 1}} {
			if got := l.Attempt(k.ip, k.p, t0); got != "" {
				t.Errorf("first attempt %v = %q", k, got)
			}
		}
		if got := l.Attempt("", 1, t0); got != "" {
			t.Errorf("unknown IP limited: %q", got)
		}
	})
	t.Run("Prune", func(t *testing.T) {
		l := domain.NewRateLimiter(rules)
		l.Attempt("a", 1, t0)
		l.Attempt("b", 1, t0.Add(200*s))
		l.Prune(t0.Add(400 * s))
		if got := l.Len(); got != 1 {
			t.Errorf("Len after prune = %d, want 1", got)
		}
	})
}

func TestRateLimiterSweepsItself(t *testing.T) {
	l := domain.NewRateLimiter(domain.DefaultConfig().Rate)
	for i := 0; i < 10000; i++ { // one new address a second: old ones leave the window
		l.Attempt(fmt.Sprint("ip", i), 1, t0.Add(time.Duration(i)*time.Second))
	}
	if got := l.Len(); got > 300+4096 {
		t.Errorf("Len = %d after 10,000 addresses over 10,000 s; want it bounded by the window plus a sweep interval", got)
	}
}
