package domain

import "time"

// CountFacts is what the counting rule needs about one signature: its
// state and its signing and validation times (domain times, UTC).
type CountFacts struct {
	State       SignatureState
	SignedAt    time.Time
	ValidatedAt time.Time
}

// Counts is the counting rule. A signature counts toward its petition's
// total iff:
//
//   - it is validated (not pending, invalidated or fraudulent), and
//   - the petition is still open (closedAt is zero), or it was signed no
//     later than closedAt and validated no later than closedAt + grace
//     (Config.ValidationGrace, 24 h).
//
// A signature signed after the close never counts. closedAt is the domain
// time of the petition's PetitionClosed event (its deadline for a close at
// the deadline).
func Counts(f CountFacts, closedAt time.Time, grace time.Duration) bool {
	if f.State != SigValidated {
		return false
	}
	if closedAt.IsZero() {
		return true
	}
	return !f.SignedAt.After(closedAt) && !f.ValidatedAt.After(closedAt.Add(grace))
}
