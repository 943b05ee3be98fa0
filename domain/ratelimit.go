package domain

import (
	"hash/maphash"
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
	rules  RateLimits
	seed   maphash.Seed
	shards [rateShards]rateShard
}

// rateShards splits the limiter's state by address so concurrent signers
// rarely wait for one another and a sweep holds one shard's lock, not all.
const rateShards = 32

// rateShard is one part of the limiter's state.
type rateShard struct {
	mu   sync.Mutex
	hits map[rateKey][]time.Time // guarded by mu; ascending
	// calls counts attempts since the last sweep, live how many pairs the
	// last sweep kept; the next sweep waits for max(sweepEvery/rateShards,
	// live) attempts, so a sweep (which walks every pair) costs O(1) per
	// attempt however many addresses are in the window.
	calls, live int // guarded by mu
}

// sweepEvery is how many attempts pass (at least, over all shards) between
// sweeps of idle addresses, which keep the limiter's memory bounded without
// a caller calling Prune.
const sweepEvery = 4096

type rateKey struct {
	ipHash     string
	petitionID int64
}

// NewRateLimiter returns a limiter for the given rules.
func NewRateLimiter(rules RateLimits) *RateLimiter {
	l := &RateLimiter{rules: rules, seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].hits = map[rateKey][]time.Time{}
	}
	return l
}

func (l *RateLimiter) shard(ipHash string) *rateShard {
	return &l.shards[maphash.String(l.seed, ipHash)%rateShards]
}

// Attempt records a signing attempt from ipHash on a petition at time at and
// returns "" when it is within the limits, or the fraud reason
// (ReasonRateBurst, ReasonRateSustained) when it is over.
func (l *RateLimiter) Attempt(ipHash string, petitionID int64, at time.Time) string {
	if ipHash == "" {
		return ""
	}
	k := rateKey{ipHash, petitionID}
	sh := l.shard(ipHash)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.calls++; sh.calls >= max(sweepEvery/rateShards, sh.live) {
		l.sweepLocked(sh, at)
	}
	hits := append(l.pruneLocked(sh.hits[k], at), at)
	sh.hits[k] = hits
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
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		l.sweepLocked(sh, now)
		sh.mu.Unlock()
	}
}

// sweepLocked prunes every pair of sh; sh.mu is held.
func (l *RateLimiter) sweepLocked(sh *rateShard, now time.Time) {
	for k, hits := range sh.hits {
		if hits = l.pruneLocked(hits, now); len(hits) == 0 {
			delete(sh.hits, k)
		} else {
			sh.hits[k] = hits
		}
	}
	sh.calls, sh.live = 0, len(sh.hits)
}

// Len is the number of (address, petition) pairs remembered.
func (l *RateLimiter) Len() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.hits)
		sh.mu.Unlock()
	}
	return n
}
