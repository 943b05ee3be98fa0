package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
)

// The other petitions of the demo. Their texts are invented.

// openPetition is still open at Options.Now: published 33 days before it,
// about 1,400 signatures so far, the latest not yet confirmed.
func openPetition(g *generator, id int64) (Summary, error) {
	s := g.newPetition(id)
	now := g.opts.Now.UTC().Truncate(time.Minute)
	published := now.Add(-33 * 24 * time.Hour)
	plans, err := s.launch(petitionText{action: "Publish the register of foreign influence arrangements in full",
		background: "The foreign influence registration scheme should let the public see every arrangement registered " +
			"under it, who the foreign principal is and what activities are carried out on its behalf."},
		published.Add(-6*24*time.Hour), published, 5, func(time.Time) crowdSpec {
			return crowdSpec{
				counted: 1_380, neverConfirmed: 45, abroadShare: 0.02, unknownShare: 0.004, householdShare: 0.01,
				waves: []wave{
					{from: published, to: published.Add(5 * 24 * time.Hour), share: 0.55, front: true},
					{from: published.Add(5 * 24 * time.Hour), to: now.Add(-time.Hour), share: 0.45},
				},
				end: now.Add(-time.Hour), validateBy: now.Add(-time.Minute), ipBase: 2_000_000,
			}
		})
	if err != nil {
		return Summary{}, err
	}
	if err := s.play(plans, false); err != nil {
		return Summary{}, err
	}
	return s.summary(), nil
}

// rejectedPetition gathered its sponsors and was rejected as a duplicate.
func rejectedPetition(g *generator, id int64) (Summary, error) {
	s := g.newPetition(id)
	created := utc(2022, 6, 10, 8, 15)
	if err := s.prelude("Investigate Russian influence in British politics",
		"We want a full investigation into how much influence Russia has had on politics in Britain.",
		"", created, 5); err != nil {
		return Summary{}, err
	}
	err := s.moderate(domain.Moderation{Outcome: domain.OutcomeReject, Code: "duplicate",
		Details: "There's already a petition about this issue. We cannot accept a new petition when one about " +
			"a very similar issue has recently been open, or when the Government has already responded to it."},
		utc(2022, 6, 21, 14, 0))
	if err != nil {
		return Summary{}, err
	}
	return s.summary(), nil
}

// debatedPetition closed below the debate threshold but was chosen by the
// Petitions Committee for a debate, which took place on 6 June 2022.
func debatedPetition(g *generator, id int64) (Summary, error) {
	s := g.newPetition(id)
	published := utc(2022, 1, 20, 9, 30)
	plans, err := s.launch(petitionText{action: "Ban donations to political parties from companies that make no UK profits",
		background: "Companies that make no profit in the UK should not be able to give money to political parties. " +
			"This loophole lets money of unknown origin into our politics."},
		utc(2022, 1, 10, 12, 5), published, 5, closingCrowd{counted: 2_410, neverConfirmed: 60, abroadShare: 0.025,
			turn: utc(2022, 2, 10, 0, 0), firstShare: 0.6, restShare: 0.4, ipBase: 3_000_000}.spec(published, g.cfg.ValidationGrace))
	if err != nil {
		return Summary{}, err
	}
	if err := s.play(plans, false); err != nil {
		return Summary{}, err
	}
	if err := s.scheduleDebate("2022-06-06", utc(2022, 5, 16, 15, 0)); err != nil {
		return Summary{}, err
	}
	err = s.debateOutcome(domain.DebateOutcome{Debated: true, DebatedOn: "2022-06-06",
		TranscriptURL:    "https://hansard.parliament.uk/",
		VideoURL:         "https://parliamentlive.tv/Commons",
		DebatePackURL:    "https://commonslibrary.parliament.uk/",
		DebateSummaryURL: "https://committees.parliament.uk/committee/326/petitions-committee/",
		Overview: "MPs debated this petition together with others on the funding of political parties. " +
			"The Petitions Committee chose it for debate although it had fewer than 100,000 signatures."},
		utc(2022, 6, 7, 11, 0))
	if err != nil {
		return Summary{}, err
	}
	if err := s.closeAtDeadline(); err != nil {
		return Summary{}, err
	}
	return s.summary(), nil
}

// invalidatedPetition received a burst of automated signatures from one
// network on 3 October 2022: the second attempt of each address was over
// the rate limit (fraudulent), and an invalidation by network two days later
// removed them all.
func invalidatedPetition(g *generator, id int64) (Summary, error) {
	s := g.newPetition(id)
	published := utc(2022, 9, 12, 10, 0)
	plans, err := s.launch(petitionText{action: "Require ministers to publish all meetings with lobbyists within 30 days",
		background: "Ministers should publish every meeting with a lobbyist, including those acting for foreign " +
			"governments, within 30 days, with who attended and what was discussed."},
		utc(2022, 9, 1, 17, 20), published, 5, closingCrowd{counted: 1_640, neverConfirmed: 40, abroadShare: 0.02,
			turn: utc(2022, 10, 1, 0, 0), firstShare: 0.5, restShare: 0.5, ipBase: 4_000_000}.spec(published, g.cfg.ValidationGrace))
	if err != nil {
		return Summary{}, err
	}
	burst := utc(2022, 10, 3, 2, 0)
	plans = mergePlans(plans, botPlans(s.r, burst))
	if err := s.play(plans, true); err != nil {
		return Summary{}, err
	}
	if err := s.invalidate(domain.InvalidationRequest{PetitionID: id, IP: "203.0.113.0/24",
		CreatedAfter: burst.Add(-time.Hour), CreatedBefore: burst.Add(2 * time.Hour),
		Reason: "Automated signatures from a single network, found by the monitoring team."},
		utc(2022, 10, 5, 9, 30)); err != nil {
		return Summary{}, err
	}
	if err := s.closeAtDeadline(); err != nil {
		return Summary{}, err
	}
	return s.summary(), nil
}

// closingCrowd is the crowd of a petition that signs until it closes, in two
// waves: front-loaded from publication to turn with firstShare of the
// signatures, then restShare from turn to the close. Confirmations come
// within the validation grace after the close.
type closingCrowd struct {
	counted, neverConfirmed int
	abroadShare             float64
	turn                    time.Time
	firstShare, restShare   float64
	ipBase                  int
}

// spec is the crowdSpec of c for a petition published at published and
// validated up to grace after it closes.
func (c closingCrowd) spec(published time.Time, grace time.Duration) func(closes time.Time) crowdSpec {
	return func(closes time.Time) crowdSpec {
		return crowdSpec{
			counted: c.counted, neverConfirmed: c.neverConfirmed,
			abroadShare: c.abroadShare, unknownShare: 0.004, householdShare: 0.01,
			waves: []wave{
				{from: published, to: c.turn, share: c.firstShare, front: true},
				{from: c.turn, to: closes, share: c.restShare},
			},
			end: closes, validateBy: closes.Add(grace - time.Minute), ipBase: c.ipBase,
		}
	}
}

// botAddresses is how many addresses of 203.0.113.0/24 (a documentation
// network) the automated burst used; each tried twice, 30 s apart.
const botAddresses = 40

// botPlans plans the automated burst: every address signs, confirms within
// two minutes, and signs again 30 s after its first attempt.
func botPlans(r *rng, at time.Time) []plan {
	var plans []plan
	for i := range botAddresses {
		ip := fmt.Sprintf("203.0.113.%d", 10+i)
		t := at.Add(time.Duration(i*40) * time.Second)
		for attempt := range 2 {
			p := newPerson(r, 900_000+2*i+attempt)
			p.email = fmt.Sprintf("u%d%d@mail.example.net", 7000+i, attempt)
			plans = append(plans, plan{n: 1_000_000 + 2*i + attempt, at: t.Add(time.Duration(attempt*30) * time.Second), who: p,
				country: geo.UnitedKingdom, postcode: spaced(r, "SW1A1AA"), ip: ip,
				validateAt: t.Add(time.Duration(attempt*30+90) * time.Second)})
		}
	}
	return plans
}

// mergePlans merges two time-sorted plan lists.
func mergePlans(a, b []plan) []plan {
	out := make([]plan, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if b[0].at.Before(a[0].at) {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}

// invalidate requests and completes an invalidation at the given time, the
// way the ledger does: every signer stream of the petition, signatures
// matching the criteria (and signed before the request) are invalidated.
func (s *petitionSim) invalidate(req domain.InvalidationRequest, at time.Time) error {
	invID := s.g.id(s.stream, "invalidation", at.Format(time.RFC3339))
	requested, err := s.g.rules.RequestInvalidation(req, invID, at)
	if err != nil {
		return err
	}
	stream := domain.InvalidationStream(invID)
	var inv domain.Invalidation
	if err := s.g.emit(stream, domain.DeterministicEventID(stream, "requested"), requested); err != nil {
		return err
	}
	if err := inv.Apply(requested); err != nil {
		return err
	}
	matching, invalidated := 0, 0
	step := at
	for _, key := range s.order {
		signer := s.signers[key].signer
		for _, rec := range signer.Signatures {
			if !inv.Criteria.Matches(s.id, key, rec) || rec.SignedAt.After(at) {
				continue
			}
			matching++
			step = step.Add(50 * time.Millisecond)
			events, err := signer.Invalidate(rec.ID, invID, inv.Reason, step)
			if err != nil {
				return err
			}
			ids := []uuid.UUID{domain.DeterministicEventID(stream, rec.ID.String())}
			if err := s.onSigner(key, ids[:len(events)], events); err != nil {
				return err
			}
			invalidated += len(events)
		}
	}
	done, err := inv.Complete(matching, invalidated, step.Add(time.Second))
	if err != nil {
		return err
	}
	if err := s.g.emit(stream, domain.DeterministicEventID(stream, "completed"), done[0]); err != nil {
		return err
	}
	return inv.Apply(done[0])
}
