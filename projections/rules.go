package projections

import (
	"time"

	"github.com/petitionledger/petitionledger/domain"
)

// Thresholds are the signature counts at which a petition reaches
// moderation, a government response and a debate. They are settings in the
// UK service; Ledger uses DefaultThresholds unless told otherwise.
type Thresholds struct {
	Moderation int64
	Response   int64
	Debate     int64
}

// DefaultThresholds are the UK service's values: 5 sponsors, 10,000
// signatures for a response and 100,000 for a debate.
var DefaultThresholds = Thresholds{Moderation: 5, Response: 10_000, Debate: 100_000}

// DefaultValidationGrace is how long after closing a pending signature can
// still be validated and counted (24 h, the domain's Config.ValidationGrace).
const DefaultValidationGrace = 24 * time.Hour

// Rules are the counting parameters a Ledger folds with.
type Rules struct {
	Thresholds      Thresholds
	ValidationGrace time.Duration
}

// DefaultRules are DefaultThresholds and DefaultValidationGrace.
var DefaultRules = Rules{Thresholds: DefaultThresholds, ValidationGrace: DefaultValidationGrace}

// counts reports whether a validated signature counts, by the domain's
// documented rule: while the petition is open (closedAt == 0) every
// validated signature counts; once closed, it counts iff it was signed no
// later than the close and validated no later than close + grace. Times are
// Unix nanoseconds.
func (r Rules) counts(signedAt, validatedAt, closedAt int64) bool {
	if closedAt == 0 {
		return true
	}
	return signedAt <= closedAt && validatedAt <= closedAt+int64(r.ValidationGrace)
}

// RulesFromConfig takes the thresholds and grace window from the domain's
// configuration, so the projections count with the same settings as the
// rules that decide.
func RulesFromConfig(c domain.Config) Rules {
	return Rules{
		Thresholds: Thresholds{Moderation: int64(c.SponsorThreshold), Response: int64(c.ResponseThreshold),
			Debate: int64(c.DebateThreshold)},
		ValidationGrace: c.ValidationGrace,
	}
}
