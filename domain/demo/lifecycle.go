package demo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
)

// prelude creates the petition, confirms the creator and gathers the
// sponsors (each confirming within the hour), starting at created.
func (s *petitionSim) prelude(action, background, details string, created time.Time, sponsors int) error {
	creator := s.official("creator", 0)
	ref, err := s.create(domain.CreatePetition{Action: action, Background: background, AdditionalDetails: details,
		Creator: creator}, created)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	at := created.Add(9 * time.Minute)
	if err := s.validate(ref, at); err != nil {
		return fmt.Errorf("confirm creator: %w", err)
	}
	for i := 1; i <= sponsors; i++ {
		at = at.Add(time.Duration(40+s.r.intn(600)) * time.Minute)
		ref, _, err := s.sign(s.official("sponsor", i), domain.KindSponsor, at)
		if err != nil {
			return fmt.Errorf("sponsor %d: %w", i, err)
		}
		if err := s.validate(ref, at.Add(time.Duration(2+s.r.intn(50))*time.Minute)); err != nil {
			return fmt.Errorf("sponsor %d confirms: %w", i, err)
		}
	}
	return nil
}

// petitionText is what a creator writes: the action, its background and
// optional additional details.
type petitionText struct{ action, background, details string }

// launch creates the petition at created with its sponsors, publishes it at
// published and plans its crowd of ordinary signers; spec is given the
// petition's closing time, known only once it is published.
func (s *petitionSim) launch(t petitionText, created, published time.Time, sponsors int,
	spec func(closes time.Time) crowdSpec) ([]plan, error) {
	if err := s.prelude(t.action, t.background, t.details, created, sponsors); err != nil {
		return nil, err
	}
	if err := s.moderate(domain.Moderation{Outcome: domain.OutcomePublish}, published); err != nil {
		return nil, err
	}
	return s.crowd(spec(s.p.ClosesAt))
}

// official invents the creator (i = 0) or a sponsor, living in the UK.
func (s *petitionSim) official(role string, i int) domain.SignerInput {
	p := newPerson(s.r, i)
	p.email = role + strconv.Itoa(i) + "." + p.email
	cs := s.g.geo.Constituencies()
	pc, _ := postcodeIn(s.r, s.g.geo, cs[s.r.intn(len(cs))].ONSCode)
	return signerInput(p, geo.UnitedKingdom, pc, ipFor(s.r.intn(1_000_000)), true)
}

func (s *petitionSim) moderate(m domain.Moderation, at time.Time) error {
	events, err := s.p.Moderate(s.g.cfg, m, at)
	return s.onPetition(s.named("moderated"), events, err)
}

func (s *petitionSim) respond(r domain.GovernmentResponse, at time.Time) error {
	events, err := s.p.RespondAsGovernment(s.g.cfg, r, at)
	return s.onPetition(s.named("responded"), events, err)
}

func (s *petitionSim) business(b domain.OtherBusiness, at time.Time) error {
	events, err := s.p.AddOtherBusiness(s.g.cfg, b, at)
	return s.onPetition(s.named("business"), events, err)
}

func (s *petitionSim) scheduleDebate(date string, at time.Time) error {
	events, err := s.p.ScheduleDebate(date, at)
	return s.onPetition(s.named("debate-scheduled"), events, err)
}

func (s *petitionSim) debateOutcome(d domain.DebateOutcome, at time.Time) error {
	events, err := s.p.RecordDebateOutcome(s.g.cfg, d, at)
	return s.onPetition(s.named("debate-outcome"), events, err)
}
