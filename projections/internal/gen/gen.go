// Package gen generates seeded, domain-valid event histories for the
// projections' tests and benchmarks: petitions through their lifecycle,
// signatures signed, validated (some after the close, some after the grace
// window), invalidated and marked fraudulent, interleaved across petitions.
package gen

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// Options shape a history.
type Options struct {
	Seed           uint64
	Petitions      int
	Steps          int      // signature actions after publication
	Constituencies []string // ONS codes to draw from ("" means abroad)
	Countries      []string // country codes for signatures from abroad
	// Steady keeps every petition open (180 days, no jumps in time): for
	// benchmarks that want Steps signature actions.
	Steady bool
}

// Append is one append to one stream.
type Append struct {
	Stream string
	Event  eventstore.EventData
}

type sig struct {
	id        uuid.UUID
	key       string
	loc       domain.Location
	kind      domain.SignatureKind
	signedAt  time.Time
	validAt   time.Time
	validated bool
}

type pet struct {
	id       int64
	closesAt time.Time
	closed   bool
	pending  []*sig
	valid    []*sig
	extras   int
}

// History returns the events of a generated history, in append order.
func History(o Options) ([]Append, error) {
	var out []Append
	err := Stream(o, func(a Append) error { out = append(out, a); return nil })
	return out, err
}

// Stream generates the history of History, handing each event to sink in
// append order instead of keeping them all (for histories of millions).
func Stream(o Options, sink func(Append) error) error {
	g := &generator{o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		now: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC), sink: sink}
	for i := 0; i < o.Petitions; i++ {
		g.createPetition(int64(i + 1))
	}
	for step := 0; step < o.Steps && g.err == nil; step++ {
		g.step()
	}
	return g.err
}

type generator struct {
	o    Options
	rng  *rand.Rand
	now  time.Time
	pets []*pet
	sink func(Append) error
	err  error
	n    uint64
}

func (g *generator) tick() time.Time {
	if g.o.Steady {
		g.now = g.now.Add(time.Duration(1+g.rng.IntN(20)) * time.Millisecond)
		return g.now
	}
	g.now = g.now.Add(time.Duration(1+g.rng.IntN(3000)) * time.Millisecond)
	return g.now
}

func (g *generator) key() string {
	var b [32]byte
	for i := range b {
		b[i] = byte(g.rng.UintN(256))
	}
	return hex.EncodeToString(b[:])
}

func (g *generator) uuid() uuid.UUID {
	var u uuid.UUID
	for i := range u {
		u[i] = byte(g.rng.UintN(256))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

func (g *generator) emit(stream string, e domain.Event) {
	if g.err != nil {
		return
	}
	data, err := domain.EncodeEvent(e)
	if err != nil {
		g.err = fmt.Errorf("gen: %w", err)
		return
	}
	g.n++
	g.err = g.sink(Append{Stream: stream, Event: eventstore.EventData{ID: g.uuid(), Type: e.EventType(), Data: data}})
}

func (g *generator) location() domain.Location {
	if g.rng.IntN(10) == 0 && len(g.o.Countries) > 0 {
		return domain.Location{Country: g.o.Countries[g.rng.IntN(len(g.o.Countries))]}
	}
	c := g.o.Constituencies[g.rng.IntN(len(g.o.Constituencies))]
	return domain.Location{Constituency: c, Country: "GB"}
}

var sealed = domain.Sealed{KeyID: "k1", Nonce: []byte("nonce-12byte"), Ciphertext: []byte("ciphertext+tag")}

func (g *generator) sign(p *pet, kind domain.SignatureKind) *sig {
	s := &sig{id: g.uuid(), key: g.key(), loc: g.location(), kind: kind, signedAt: g.tick()}
	g.emit(domain.SignerStream(p.id, s.key), domain.SignatureSigned{SignatureID: s.id, PetitionID: p.id, SignerKey: s.key,
		Kind: kind, Location: s.loc, From: domain.SigNone, To: domain.SigPending, NameHash: s.key,
		EmailDomainHash: s.key, Sealed: sealed, At: s.signedAt})
	p.pending = append(p.pending, s)
	return s
}

func (g *generator) validate(p *pet, i int) {
	s := p.pending[i]
	p.pending = append(p.pending[:i], p.pending[i+1:]...)
	s.validAt, s.validated = g.tick(), true
	g.emit(domain.SignerStream(p.id, s.key), domain.SignatureValidated{SignatureID: s.id, PetitionID: p.id, SignerKey: s.key,
		Kind: s.kind, Location: s.loc, From: domain.SigPending, To: domain.SigValidated, SignedAt: s.signedAt, At: s.validAt})
	p.valid = append(p.valid, s)
}

// remove invalidates (or marks fraudulent) a validated signature.
func (g *generator) remove(p *pet, i int) {
	s := p.valid[i]
	p.valid = append(p.valid[:i], p.valid[i+1:]...)
	at := g.tick()
	stream := domain.SignerStream(p.id, s.key)
	if g.rng.IntN(2) == 0 {
		g.emit(stream, domain.SignatureInvalidated{SignatureID: s.id, PetitionID: p.id, SignerKey: s.key, Location: s.loc,
			From: domain.SigValidated, To: domain.SigInvalidated, InvalidationID: g.uuid(), Reason: "test",
			SignedAt: s.signedAt, ValidatedAt: s.validAt, At: at})
		return
	}
	g.emit(stream, domain.SignatureMarkedFraudulent{SignatureID: s.id, PetitionID: p.id, SignerKey: s.key, Location: s.loc,
		From: domain.SigValidated, To: domain.SigFraudulent, Reason: "rate_limit_burst",
		SignedAt: s.signedAt, ValidatedAt: s.validAt, At: at})
}

func (g *generator) createPetition(id int64) {
	p := &pet{id: id}
	stream := domain.PetitionStream(id)
	creator := g.key()
	g.emit(stream, domain.PetitionCreated{PetitionID: id, Action: fmt.Sprintf("Petition %d", id), Background: "Why.",
		CreatorKey: creator, CreatorSignatureID: g.uuid(), CreatorSealed: sealed, At: g.tick()})
	g.emit(stream, domain.PetitionCreatorConfirmed{PetitionID: id, At: g.tick()})
	g.sign(p, domain.KindCreator)
	g.validate(p, len(p.pending)-1)
	state := domain.StateValidated
	sponsors := 0
	for k := 1; k <= 5+g.rng.IntN(3); k++ {
		state = g.support(p, state, &sponsors)
	}
	switch g.rng.IntN(10) {
	case 0, 1: // an invalidation takes it back below moderation, then it is rejected
		for sponsors >= 5 {
			state = g.withdraw(p, state, &sponsors)
		}
		g.emit(stream, domain.PetitionRejected{PetitionID: id, From: state, Code: "duplicate", Details: "Dup.", At: g.tick()})
		return
	case 2:
		g.emit(stream, domain.PetitionFlagged{PetitionID: id, From: domain.StateSponsored, Dormant: g.rng.IntN(2) == 0, At: g.tick()})
		return
	case 3: // a sponsor is withdrawn; below moderation a new one supports it again
		state = g.withdraw(p, state, &sponsors)
		for state != domain.StateSponsored {
			state = g.support(p, state, &sponsors)
		}
	}
	at := g.tick()
	p.closesAt = at.Add(time.Duration(2+g.rng.IntN(5)) * 24 * time.Hour)
	if g.o.Steady {
		p.closesAt = at.Add(180 * 24 * time.Hour)
	}
	g.emit(stream, domain.PetitionPublished{PetitionID: id, From: domain.StateSponsored, Deadline: p.closesAt.Format(domain.DateLayout),
		ClosesAt: p.closesAt, At: at})
	g.pets = append(g.pets, p)
}

// support signs, validates and records one more sponsor of a petition not
// yet moderated; it returns the petition's new state.
func (g *generator) support(p *pet, state domain.PetitionState, sponsors *int) domain.PetitionState {
	s := g.sign(p, domain.KindSponsor)
	g.validate(p, len(p.pending)-1)
	*sponsors++
	to := state
	if *sponsors >= 5 {
		to = domain.StateSponsored
	}
	g.emit(domain.PetitionStream(p.id), domain.PetitionSponsorSupported{PetitionID: p.id, SponsorKey: s.key, SignatureID: s.id,
		SponsorCount: *sponsors, From: state, To: to, At: s.validAt})
	return to
}

// withdraw invalidates the latest sponsor's signature and records the
// withdrawal, as ledger's invalidations do (sponsored → validated below 5);
// it returns the petition's new state.
func (g *generator) withdraw(p *pet, state domain.PetitionState, sponsors *int) domain.PetitionState {
	s := p.valid[len(p.valid)-1]
	p.valid = p.valid[:len(p.valid)-1]
	at := g.tick()
	g.emit(domain.SignerStream(p.id, s.key), domain.SignatureInvalidated{SignatureID: s.id, PetitionID: p.id, SignerKey: s.key,
		Location: s.loc, From: domain.SigValidated, To: domain.SigInvalidated, InvalidationID: g.uuid(), Reason: "test",
		SignedAt: s.signedAt, ValidatedAt: s.validAt, At: at})
	*sponsors--
	to := state
	if to == domain.StateSponsored && *sponsors < 5 {
		to = domain.StateValidated
	}
	g.emit(domain.PetitionStream(p.id), domain.PetitionSponsorWithdrawn{PetitionID: p.id, SponsorKey: s.key, SignatureID: s.id,
		SponsorCount: *sponsors, From: state, To: to, At: at})
	return to
}

// step performs one random signature or lifecycle action.
func (g *generator) step() {
	if len(g.pets) == 0 {
		return
	}
	p := g.pets[g.rng.IntN(len(g.pets))]
	if !p.closed && g.now.After(p.closesAt) {
		p.closed = true
		g.emit(domain.PetitionStream(p.id), domain.PetitionClosed{PetitionID: p.id, Reason: domain.CloseAtDeadline, At: p.closesAt})
	}
	switch r := g.rng.IntN(100); {
	case r < 45 && !p.closed:
		g.sign(p, domain.KindSigner)
	case r < 88 && len(p.pending) > 0:
		g.validate(p, g.rng.IntN(len(p.pending)))
	case r < 96 && len(p.valid) > 0:
		g.remove(p, g.rng.IntN(len(p.valid)))
	case r < 97:
		g.extra(p)
	case r < 98 && !g.o.Steady:
		g.now = g.now.Add(time.Duration(g.rng.IntN(8)) * time.Hour) // let deadlines and grace windows pass
	}
}

func (g *generator) extra(p *pet) {
	stream := domain.PetitionStream(p.id)
	switch p.extras {
	case 0:
		g.emit(stream, domain.GovernmentResponded{PetitionID: p.id, Summary: "Response.", Details: "Details.",
			RespondedOn: g.now.Format(domain.DateLayout), Department: domain.Department{Acronym: "CO", Name: "Cabinet Office"}, At: g.tick()})
	case 1:
		g.emit(stream, domain.DebateScheduled{PetitionID: p.id, DebateDate: g.now.Add(240 * time.Hour).Format(domain.DateLayout), At: g.tick()})
	case 2:
		g.emit(stream, domain.DebateOutcomeRecorded{PetitionID: p.id, Debated: g.rng.IntN(2) == 0, DebatedOn: g.now.Format(domain.DateLayout),
			TranscriptURL: "https://hansard.parliament.uk/x", At: g.tick()})
	case 3:
		g.emit(stream, domain.OtherBusinessAdded{PetitionID: p.id, Subject: "Debate", Body: "Body.", OccurredOn: g.now.Format(domain.DateLayout), At: g.tick()})
	}
	p.extras++
}
