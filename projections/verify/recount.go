package verify

import (
	"encoding/json"
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
	sampled   int64
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
// decode is an error naming the event. The four signature types, which are
// nearly every event, are read with sigFields (only what counting needs,
// by the JSON names the domain's golden files pin) after the domain's own
// decoder has been run on a sample of them (see checkWithDomain); petition
// events go through domain.DecodeEventWithID.
func (r *recount) add(ev *eventstore.RecordedEvent) error {
	switch ev.Type {
	case typeSigned, typeValidated, typeInvalidated, typeFraudulent:
		return r.addSignature(ev)
	case typePublished, typeClosed:
	default:
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
	}
	return nil
}

// Event type names the recount reads (domain's registry names).
var (
	typeSigned      = domain.SignatureSigned{}.EventType()
	typeValidated   = domain.SignatureValidated{}.EventType()
	typeInvalidated = domain.SignatureInvalidated{}.EventType()
	typeFraudulent  = domain.SignatureMarkedFraudulent{}.EventType()
	typePublished   = domain.PetitionPublished{}.EventType()
	typeClosed      = domain.PetitionClosed{}.EventType()
)

// sigFields is what counting needs from any signature event.
type sigFields struct {
	SignatureID uuid.UUID             `json:"signature_id"`
	PetitionID  int64                 `json:"petition_id"`
	Location    domain.Location       `json:"location"`
	To          domain.SignatureState `json:"to"`
	At          time.Time             `json:"at"`
	SignedAt    time.Time             `json:"signed_at"`
	ValidatedAt time.Time             `json:"validated_at"`
}

func (r *recount) addSignature(ev *eventstore.RecordedEvent) error {
	var f sigFields
	if !decodeSigFields(ev.Data, &f) {
		f = sigFields{}
		if err := json.Unmarshal(ev.Data, &f); err != nil {
			return fmt.Errorf("event %s (%s/%d, %s): %w", ev.ID, ev.Stream, ev.Revision, ev.Type, err)
		}
	}
	if f.PetitionID <= 0 || f.SignatureID == uuid.Nil || f.To == "" {
		return fmt.Errorf("event %s (%s/%d, %s): missing petition_id, signature_id or to", ev.ID, ev.Stream, ev.Revision, ev.Type)
	}
	r.sampled++
	if r.sampled%checkEvery == 1 {
		if err := checkWithDomain(ev, f); err != nil {
			return err
		}
	}
	s := r.petition(f.PetitionID).sig(f.SignatureID)
	s.loc, s.state = f.Location, f.To
	switch ev.Type {
	case typeSigned:
		s.signedAt = f.At.UTC()
	case typeValidated:
		s.signedAt, s.validatedAt = f.SignedAt.UTC(), f.At.UTC()
	default:
		s.signedAt, s.validatedAt = f.SignedAt.UTC(), f.ValidatedAt.UTC()
	}
	return nil
}

// checkEvery is how often (1 in checkEvery signature events, starting with
// the first) the domain's full decoder re-reads a signature event, so a
// drift between sigFields and the domain's schema fails loudly.
const checkEvery = 64

func checkWithDomain(ev *eventstore.RecordedEvent, f sigFields) error {
	e, err := domain.DecodeEventWithID(ev.Type, ev.ID.String(), ev.Data)
	if err != nil {
		return fmt.Errorf("event %s (%s/%d): %w", ev.ID, ev.Stream, ev.Revision, err)
	}
	var id uuid.UUID
	var pid int64
	switch e := e.(type) {
	case domain.SignatureSigned:
		id, pid = e.SignatureID, e.PetitionID
	case domain.SignatureValidated:
		id, pid = e.SignatureID, e.PetitionID
	case domain.SignatureInvalidated:
		id, pid = e.SignatureID, e.PetitionID
	case domain.SignatureMarkedFraudulent:
		id, pid = e.SignatureID, e.PetitionID
	}
	if id != f.SignatureID || pid != f.PetitionID {
		return fmt.Errorf("event %s: the verifier's reading differs from domain.DecodeEventWithID", ev.ID)
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
