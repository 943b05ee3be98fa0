package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimit is a token bucket per client address: Rate tokens a second,
// up to Burst. A zero Rate disables limiting.
type RateLimit struct {
	Rate  float64
	Burst int
}

// ipLimiter holds one bucket per client address. Buckets idle long enough
// to be full again are swept, so memory stays bounded by the active clients.
type ipLimiter struct {
	cfg RateLimit
	now func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket // guarded by mu
	lastSweep time.Time          // guarded by mu
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newIPLimiter(cfg RateLimit, now func() time.Time) *ipLimiter {
	return &ipLimiter{cfg: cfg, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key; when none is left it returns how long until
// one will be.
func (l *ipLimiter) allow(key string) (bool, time.Duration) {
	if l == nil || l.cfg.Rate <= 0 {
		return true, 0
	}
	burst := float64(max(l.cfg.Burst, 1))
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweepLocked(now, burst)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*l.cfg.Rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.cfg.Rate * float64(time.Second))
	return false, wait
}

// sweepLocked drops buckets that have refilled completely. mu must be held.
func (l *ipLimiter) sweepLocked(now time.Time, burst float64) {
	full := time.Duration(burst / l.cfg.Rate * float64(time.Second))
	if now.Sub(l.lastSweep) < max(full, time.Second) {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
}

// clientIP is the request's client address: the peer address, or, when the
// server trusts a proxy, the last address of X-Forwarded-For.
func clientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.String()
	}
	return ""
}

// rateLimited answers 429 with Retry-After.
func rateLimited(w http.ResponseWriter, wait time.Duration) {
	secs := int(wait/time.Second) + 1
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeProblemBody(w, newProblem(CodeRateLimited, "", "Too many requests from this address; retry in "+strconv.Itoa(secs)+" s."))
}

// limitKey is the bucket of a client address: the address itself for
// IPv4, its /64 network for IPv6 (one subscriber usually holds a whole /64,
// so per-address buckets would not limit anything).
func limitKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil || addr.Is4() || addr.Is4In6() {
		return ip
	}
	p, err := addr.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
