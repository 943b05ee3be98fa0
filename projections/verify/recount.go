package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// recount is the verifier's own fold: the last known facts of every
// signature and the close time of every petition, from the raw events,
// decoded with domain.DecodeEventWithID and judged with domain.Counts. It
// shares no code with package projections.
type recount struct {
	grace     time.Duration
	head      eventstore.Position // position of the last event folded
	petitions map[int64]*petitionFacts
}

type petitionFacts struct {
	published bool
	closedAt  time.Time
	sigs      map[uuid.UUID]*sigFacts
}

type sigFacts struct {
	loc         domain.Location
	state       domain.SignatureState
	signedAt    time.Time
	validatedAt time.Time
}

func newRecount(grace time.Duration) *recount {
	return &recount{grace: grace, petitions: map[int64]*petitionFacts{}}
}

func (r *recount) petition(id int64) *petitionFacts {
	p := r.petitions[id]
	if p == nil {
		p = &petitionFacts{sigs: map[uuid.UUID]*sigFacts{}}
		r.petitions[id] = p
	}
	return p
}

func (p *petitionFacts) sig(id uuid.UUID) *sigFacts {
	s := p.sigs[id]
	if s == nil {
		s = &sigFacts{}
		p.sigs[id] = s
	}
	return s
}

// add folds one recorded event. Events of types the domain does not know
// (system and metadata events) are skipped; a known type that fails to
// decode is an error naming the event.
func (r *recount) add(ev *eventstore.RecordedEvent) error {
	if !domain.IsKnownEventType(ev.Type) {
		return nil
	}
	e, err := domain.DecodeEventWithID(ev.Type, ev.ID.String(), ev.Data)
	if err != nil {
		return fmt.Errorf("event %s (%s/%d): %w", ev.ID, ev.Stream, ev.Revision, err)
	}
	switch e := e.(type) {
	case domain.PetitionPublished:
		r.petition(e.PetitionID).published = true
	case domain.PetitionClosed:
		r.petition(e.PetitionID).closedAt = e.At.UTC()
	case domain.SignatureSigned:
		s := r.petition(e.PetitionID).sig(e.SignatureID)
		s.loc, s.state, s.signedAt = e.Location, e.To, e.At.UTC()
	case domain.SignatureValidated:
		s := r.petition(e.PetitionID).sig(e.SignatureID)
		s.loc, s.state, s.signedAt, s.validatedAt = e.Location, e.To, e.SignedAt.UTC(), e.At.UTC()
	case domain.SignatureInvalidated:
		s := r.petition(e.PetitionID).sig(e.SignatureID)
		s.loc, s.state, s.signedAt, s.validatedAt = e.Location, e.To, e.SignedAt.UTC(), e.ValidatedAt.UTC()
	case domain.SignatureMarkedFraudulent:
		s := r.petition(e.PetitionID).sig(e.SignatureID)
		s.loc, s.state, s.signedAt, s.validatedAt = e.Location, e.To, e.SignedAt.UTC(), e.ValidatedAt.UTC()
	}
	return nil
}

// tally is the recounted totals of one petition.
type tally struct {
	total, signatures, invalidated, fraudulent, abroad int64
	constituency, region, country                      map[string]int64
}

func (r *recount) tally(id int64) tally {
	p := r.petitions[id]
	t := tally{constituency: map[string]int64{}, region: map[string]int64{}, country: map[string]int64{}}
	for _, s := range p.sigs {
		t.signatures++
		switch s.state {
		case domain.SigInvalidated:
			t.invalidated++
		case domain.SigFraudulent:
			t.fraudulent++
		}
		f := domain.CountFacts{State: s.state, SignedAt: s.signedAt, ValidatedAt: s.validatedAt}
		if !domain.Counts(f, p.closedAt, r.grace) {
			continue
		}
		t.total++
		if s.loc.Constituency != "" {
			t.constituency[s.loc.Constituency]++
		}
		if s.loc.Region != "" {
			t.region[s.loc.Region]++
		}
		if s.loc.Country != "" {
			t.country[s.loc.Country]++
		}
		if s.loc.Country != "GB" {
			t.abroad++
		}
	}
	return t
}

func (r *recount) ids() []int64 {
	ids := make([]int64, 0, len(r.petitions))
	for id := range r.petitions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
