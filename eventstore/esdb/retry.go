package esdb

import (
	"context"
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds the retries of an operation that failed because the
// server was unavailable or was not the leader. Delays grow exponentially
// from BaseDelay, are capped at MaxDelay, and are jittered ("equal jitter":
// half fixed, half random) so that many clients do not retry in step.
//
// Which failures are retried depends on the operation; see the package
// documentation.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts, the first included. 1 disables
	// retries. 0 means the default, 8.
	MaxAttempts int
	// BaseDelay is the delay ceiling after the first failure. 0 means 50 ms.
	BaseDelay time.Duration
	// MaxDelay caps every delay. 0 means 2 s.
	MaxDelay time.Duration
}

// DefaultRetryPolicy is the policy Open uses unless WithRetryPolicy says
// otherwise: at most 8 attempts over about 6 s.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 8, BaseDelay: 50 * time.Millisecond, MaxDelay: 2 * time.Second}

// withDefaults fills the zero fields.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultRetryPolicy.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultRetryPolicy.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultRetryPolicy.MaxDelay
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	return p
}

// Delay returns how long to wait after failed attempt number attempt
// (0-based). random returns a uniform value in [0, n) for n > 0; nil means
// math/rand/v2. The result lies in [ceiling/2, ceiling], where ceiling is
// min(MaxDelay, BaseDelay·2^attempt).
func (p RetryPolicy) Delay(attempt int, random func(n int64) int64) time.Duration {
	p = p.withDefaults()
	if random == nil {
		random = rand.Int64N
	}
	ceiling := p.BaseDelay
	for i := 0; i < attempt && ceiling < p.MaxDelay; i++ {
		ceiling *= 2
	}
	if ceiling > p.MaxDelay {
		ceiling = p.MaxDelay
	}
	half := ceiling / 2
	return half + time.Duration(random(int64(ceiling-half)+1))
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
