package projections

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// The oracle recounts from raw events, independently of the Ledger: it
// decodes every event with domain.DecodeEvent, remembers every signature
// (which the Ledger must not), and counts with domain.Counts.

type oracleSig struct {
	petition    int64
	state       domain.SignatureState
	loc         domain.Location
	signedAt    time.Time
	validatedAt time.Time
}

type oraclePetition struct {
	closedAt  time.Time
	state     domain.PetitionState
	count     int64 // count after the last event, for threshold tracking
	modAt     time.Time
	respAt    time.Time
	debateAt  time.Time
	auditSize uint64
}

type oracle struct {
	t         testing.TB
	rules     Rules
	sigs      map[uuid.UUID]*oracleSig
	bySig     map[int64][]uuid.UUID
	petitions map[int64]*oraclePetition
	// What the history exercised, so a test can insist on coverage.
	respReached, respUndone, debateReached, modUndone, notCounted int
}

func newOracle(t testing.TB, r Rules) *oracle {
	return &oracle{t: t, rules: r, sigs: map[uuid.UUID]*oracleSig{}, bySig: map[int64][]uuid.UUID{}, petitions: map[int64]*oraclePetition{}}
}

// recount counts petition id's signatures from scratch.
func (o *oracle) recount(id int64) (total int64, byConst map[string]int64, byCountry map[string]int64) {
	p := o.petitions[id]
	byConst, byCountry = map[string]int64{}, map[string]int64{}
	for _, sid := range o.bySig[id] {
		s := o.sigs[sid]
		f := domain.CountFacts{State: s.state, SignedAt: s.signedAt, ValidatedAt: s.validatedAt}
		if domain.Counts(f, p.closedAt, o.rules.ValidationGrace) {
			total++
			if s.loc.Constituency != "" {
				byConst[s.loc.Constituency]++
			}
			byCountry[s.loc.Country]++
		}
	}
	return total, byConst, byCountry
}

// apply folds one event; it returns the petition it concerns (0: none).
func (o *oracle) apply(ev *eventstore.RecordedEvent) int64 {
	e, err := domain.DecodeEvent(ev.Type, ev.Data)
	if err != nil {
		return 0
	}
	at := e.OccurredAt()
	switch e := e.(type) {
	case domain.PetitionCreated:
		o.petitions[e.PetitionID] = &oraclePetition{state: domain.StatePending, auditSize: 1}
		return e.PetitionID
	case domain.SignatureSigned:
		o.sigs[e.SignatureID] = &oracleSig{petition: e.PetitionID, state: e.To, loc: e.Location, signedAt: e.At}
		o.bySig[e.PetitionID] = append(o.bySig[e.PetitionID], e.SignatureID)
		return 0
	case domain.SignatureValidated:
		s := o.sigs[e.SignatureID]
		s.state, s.validatedAt = e.To, e.At
		return o.afterCountChange(e.PetitionID, at)
	case domain.SignatureInvalidated:
		o.sigs[e.SignatureID].state = e.To
		return o.afterCountChange(e.PetitionID, at)
	case domain.SignatureMarkedFraudulent:
		o.sigs[e.SignatureID].state = e.To
		return o.afterCountChange(e.PetitionID, at)
	case domain.PetitionEvent:
		p := o.petitions[e.Petition()]
		p.auditSize++
		switch e := e.(type) {
		case domain.PetitionSponsorSupported:
			if e.To == domain.StateSponsored && p.state != domain.StateSponsored {
				p.modAt = at
			}
			p.state = e.To
		case domain.PetitionSponsorWithdrawn:
			if e.From == domain.StateSponsored && e.To != domain.StateSponsored {
				p.modAt = time.Time{}
				o.modUndone++
			}
			p.state = e.To
		case domain.PetitionClosed:
			p.closedAt = at
			p.state = domain.StateClosed
		case domain.PetitionPublished:
			p.state = domain.StateOpen
		case domain.PetitionRejected:
			p.state = domain.StateRejected
		case domain.PetitionFlagged:
			p.state = domain.StateFlagged
			if e.Dormant {
				p.state = domain.StateDormant
			}
		case domain.PetitionCreatorConfirmed:
			p.state = domain.StateValidated
		}
		return e.Petition()
	}
	return 0
}

// afterCountChange applies the UK threshold rules to the recounted total.
func (o *oracle) afterCountChange(id int64, at time.Time) int64 {
	p := o.petitions[id]
	n, _, _ := o.recount(id)
	if n == p.count {
		o.notCounted++
		return id
	}
	p.auditSize++
	th := o.rules.Thresholds
	if n > p.count {
		if n >= th.Response && p.respAt.IsZero() {
			p.respAt = at
			o.respReached++
		}
		if n >= th.Debate && p.debateAt.IsZero() {
			p.debateAt = at
			o.debateReached++
		}
	} else {
		if n < th.Response && !p.respAt.IsZero() {
			p.respAt = time.Time{}
			o.respUndone++
		}
		if n < th.Debate {
			p.debateAt = time.Time{}
		}
	}
	p.count = n
	return id
}

// check compares a published petition with the oracle's recount.
func (o *oracle) check(t testing.TB, where string, id int64, got PetitionState) {
	t.Helper()
	p := o.petitions[id]
	total, byConst, byCountry := o.recount(id)
	if got.SignatureCount != total {
		t.Fatalf("%s: petition %d: signature_count got %d, want %d", where, id, got.SignatureCount, total)
	}
	gotConst := map[string]int64{}
	for _, c := range got.SignaturesByConstituency() {
		gotConst[c.ONSCode] = c.SignatureCount
	}
	var unknown int64
	for code, n := range byConst {
		if _, known := got.counts.places.constIndex[code]; !known {
			unknown += n
			continue
		}
		if gotConst[code] != n {
			t.Fatalf("%s: petition %d: constituency %s got %d, want %d", where, id, code, gotConst[code], n)
		}
		delete(gotConst, code)
	}
	if len(gotConst) != 0 || got.UnknownConstituencyCount() != unknown {
		t.Fatalf("%s: petition %d: extra constituencies %v, unknown got %d want %d", where, id, gotConst, got.UnknownConstituencyCount(), unknown)
	}
	var regionSum, countrySum int64
	for _, r := range got.SignaturesByRegion() {
		regionSum += r.SignatureCount
	}
	for _, c := range got.SignaturesByCountry() {
		countrySum += c.SignatureCount
		if c.Code != "" && byCountry[c.Code] != c.SignatureCount {
			t.Fatalf("%s: petition %d: country %s got %d, want %d", where, id, c.Code, c.SignatureCount, byCountry[c.Code])
		}
	}
	if regionSum+unknown != byCountry["GB"] || countrySum != total {
		t.Fatalf("%s: petition %d: regions sum %d (+%d unknown) vs GB %d; countries sum %d vs total %d", where, id, regionSum, unknown, byCountry["GB"], countrySum, total)
	}
	if got.State != string(p.state) {
		t.Fatalf("%s: petition %d: state got %q, want %q", where, id, got.State, p.state)
	}
	if !got.ModerationThresholdReachedAt.Equal(p.modAt) || !got.ResponseThresholdReachedAt.Equal(p.respAt) || !got.DebateThresholdReachedAt.Equal(p.debateAt) {
		t.Fatalf("%s: petition %d: thresholds got (%v, %v, %v), want (%v, %v, %v)", where, id,
			got.ModerationThresholdReachedAt, got.ResponseThresholdReachedAt, got.DebateThresholdReachedAt, p.modAt, p.respAt, p.debateAt)
	}
	if got.AuditLen != p.auditSize {
		t.Fatalf("%s: petition %d: audit length got %d, want %d", where, id, got.AuditLen, p.auditSize)
	}
}
