package domain

import (
	"sync"
	"time"
)

// Fraud reasons recorded on SignatureMarkedFraudulent.
const (
	ReasonRateBurst     = "rate_limit_burst"
	ReasonRateSustained = "rate_limit_sustained"
)

// RateLimiter applies the per-IP, per-petition signing limits. It is pure in
// the sense that matters here: no clock, no I/O; the caller passes the time
// of each attempt. It is safe for concurrent use.
//
// Every attempt is recorded, including those over the limit, as the UK
// service counts every signature from the address in the window. The state is
// per process: with several API nodes each node limits what it sees (see
// docs/privacy.md); a signature over the limit is kept and marked
// fraudulent, never rejected, so nothing is lost.
type RateLimiter struct {
	rules RateLimits
	mu    sync.Mutex
	hits  map[rateKey][]time.Time // guarded by mu; ascending
	calls int                     // guarded by mu; attempts since the last sweep
}

// sweepEvery is how many attempts pass between sweeps of idle addresses,
// which keep the limiter's memory bounded without a caller calling Prune.
const sweepEvery = 4096

type rateKey struct {
	ipHash     string
	petitionID int64
}

// NewRateLimiter returns a limiter for the given rules.
func NewRateLimiter(rules RateLimits) *RateLimiter {
	return &RateLimiter{rules: rules, hits: map[rateKey][]time.Time{}}
}

// Attempt records a signing attempt from ipHash on a petition at time at and
// returns "" when it is within the limits, or the fraud reason
// (ReasonRateBurst, ReasonRateSustained) when it is over.
func (l *RateLimiter) Attempt(ipHash string, petitionID int64, at time.Time) string {
	if ipHash == "" {
		return ""
	}
	k := rateKey{ipHash, petitionID}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.calls++; l.calls >= sweepEvery {
		l.calls = 0
		l.pruneAllLocked(at)
	}
	hits := append(l.pruneLocked(l.hits[k], at), at)
	l.hits[k] = hits
	switch {
	case exceeds(hits, at, l.rules.Burst):
		return ReasonRateBurst
	case exceeds(hits, at, l.rules.Sustained):
		return ReasonRateSustained
	}
	return ""
}

// exceeds reports whether more than rule.Max hits fall in (at-Window, at].
func exceeds(hits []time.Time, at time.Time, rule RateRule) bool {
	if rule.Max <= 0 || rule.Window <= 0 {
		return false
	}
	n := 0
	for _, h := range hits {
		if h.After(at.Add(-rule.Window)) && !h.After(at) {
			n++
		}
	}
	return n > rule.Max
}

// pruneLocked drops hits too old for either window.
func (l *RateLimiter) pruneLocked(hits []time.Time, at time.Time) []time.Time {
	keep := max(l.rules.Burst.Window, l.rules.Sustained.Window)
	i := 0
	for i < len(hits) && !hits[i].After(at.Add(-keep)) {
		i++
	}
	return hits[i:]
}

// Prune forgets every address with no attempt in the longest window before
// now. Attempt also does this every few thousand calls, so memory stays
// bounded by the addresses seen within the longest window.
func (l *RateLimiter) Prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pruneAllLocked(now)
}

func (l *RateLimiter) pruneAllLocked(now time.Time) {
	for k, hits := range l.hits {
		if hits = l.pruneLocked(hits, now); len(hits) == 0 {
			delete(l.hits, k)
		} else {
			l.hits[k] = hits
		}
	}
}

// Len is the number of (address, petition) pairs remembered.
func (l *RateLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.hits)
}
