package demo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// petitionSim plays one petition's story through the domain's own
// decisions (the same calls the ledger makes), emitting each event and
// folding it into the aggregates, so every event is one the rules allow.
type petitionSim struct {
	g       *generator
	id      int64
	stream  string
	r       *rng
	p       *domain.Petition
	signers map[string]*signerState
	order   []string // signer keys, in order of first signature
	limiter *domain.RateLimiter
	signs   int // signatures made, for event IDs
}

// signerState is one signer stream: its aggregate and its name.
type signerState struct {
	signer *domain.Signer
	stream string
}

// sigRef names one signature.
type sigRef struct {
	key string
	id  uuid.UUID
}

func (g *generator) newPetition(id int64) *petitionSim {
	return &petitionSim{g: g, id: id, stream: domain.PetitionStream(id),
		r: newRNG(g.opts.Seed, "petition-"+strconv.FormatInt(id, 10)), p: &domain.Petition{},
		signers: map[string]*signerState{}, limiter: domain.NewRateLimiter(g.cfg.Rate)}
}

// onPetition emits petition events and folds them.
func (s *petitionSim) onPetition(ids func(i int) uuid.UUID, events []domain.Event, err error) error {
	if err != nil {
		return err
	}
	for i, e := range events {
		if err := s.g.emit(s.stream, ids(i), e); err != nil {
			return err
		}
		if err := s.p.Apply(e); err != nil {
			return err
		}
	}
	return nil
}

// named returns an ID function for single-event decisions.
func (s *petitionSim) named(kind string) func(int) uuid.UUID {
	return func(i int) uuid.UUID { return s.g.id(s.stream, kind, strconv.Itoa(s.p.Version+i)) }
}

// onSigner emits signer-stream events and folds them.
func (s *petitionSim) onSigner(key string, ids []uuid.UUID, events []domain.Event) error {
	st := s.signers[key]
	if st == nil {
		st = &signerState{signer: &domain.Signer{}, stream: domain.SignerStream(s.id, key)}
		s.signers[key] = st
		s.order = append(s.order, key)
	}
	for i, e := range events {
		if err := s.g.emit(st.stream, ids[i], e); err != nil {
			return err
		}
		if err := st.signer.Apply(e); err != nil {
			return err
		}
	}
	return nil
}

// prepare builds a SignatureSigned with the demo's deterministic seal.
func (s *petitionSim) prepare(in domain.SignerInput, sigID uuid.UUID, kind domain.SignatureKind, at time.Time) (domain.SignatureSigned, error) {
	sig, err := s.g.rules.PrepareSignature(in, s.id, sigID, kind, at)
	if err != nil {
		return sig, err
	}
	sig.Sealed, err = s.g.opts.Sealer.SealPersonal(domain.PersonalData{Name: in.Name, Email: in.Email},
		domain.SignatureAAD(s.id, sigID))
	return sig, err
}

// create starts the petition: PetitionCreated and the creator's signature.
func (s *petitionSim) create(cmd domain.CreatePetition, at time.Time) (sigRef, error) {
	sigID := s.g.id(s.stream, "creator-signature-id")
	created, sig, err := s.g.rules.CreatePetition(cmd, s.id, sigID, at)
	if err != nil {
		return sigRef{}, err
	}
	sealed, err := s.g.opts.Sealer.SealPersonal(domain.PersonalData{Name: cmd.Creator.Name, Email: cmd.Creator.Email},
		domain.SignatureAAD(s.id, sigID))
	if err != nil {
		return sigRef{}, err
	}
	created.CreatorSealed, sig.Sealed = sealed, sealed
	if err := s.onPetition(func(int) uuid.UUID { return s.g.id(s.stream, "created") }, []domain.Event{created}, nil); err != nil {
		return sigRef{}, err
	}
	ref := sigRef{key: sig.SignerKey, id: sigID}
	return ref, s.onSigner(ref.key, []uuid.UUID{domain.DeterministicEventID("creator-signature", sigID.String())},
		[]domain.Event{sig})
}

// sign records a new signature (the ledger's Sign): fraudulent when over
// the rate limit.
func (s *petitionSim) sign(in domain.SignerInput, kind domain.SignatureKind, at time.Time) (sigRef, bool, error) {
	s.signs++
	ps := s.prepareOne(in, kind, at, s.g.id(s.stream, "sign", strconv.Itoa(s.signs)))
	if ps.err != nil {
		return sigRef{}, false, ps.err
	}
	return s.record(ps)
}

// prepared is a signature built ahead of deciding it.
type prepared struct {
	eventID     uuid.UUID
	validatedID uuid.UUID // ID of its SignatureValidated, as the ledger derives it
	sig         domain.SignatureSigned
	err         error
}

// prepareOne builds the SignatureSigned for event eventID; the signature
// ID follows the ledger (SignatureIDFor).
func (s *petitionSim) prepareOne(in domain.SignerInput, kind domain.SignatureKind, at time.Time, eventID uuid.UUID) prepared {
	sigID := domain.DeterministicEventID("signature", eventID.String())
	sig, err := s.prepare(in, sigID, kind, at)
	return prepared{eventID: eventID, validatedID: validatedEventID(sigID), sig: sig, err: err}
}

// record decides a prepared signature on the petition and emits it.
func (s *petitionSim) record(ps prepared) (sigRef, bool, error) {
	sig := ps.sig
	fraud := ""
	if sig.Kind == domain.KindSigner {
		fraud = s.limiter.Attempt(sig.IPHash, s.id, sig.At)
	}
	signer := &domain.Signer{}
	if st := s.signers[sig.SignerKey]; st != nil {
		signer = st.signer
	}
	events, err := signer.Sign(s.g.cfg, s.p, sig, domain.SignOptions{FraudReason: fraud})
	if err != nil {
		return sigRef{}, false, err
	}
	ids := []uuid.UUID{ps.eventID}
	if len(events) > 1 {
		ids = append(ids, domain.DeterministicEventID("fraud", ps.eventID.String()))
	}
	ref := sigRef{key: sig.SignerKey, id: sig.SignatureID}
	return ref, fraud != "", s.onSigner(ref.key, ids, events)
}

// validatedEventID is the ledger's ID for a signature's validation.
func validatedEventID(sigID uuid.UUID) uuid.UUID {
	return domain.DeterministicEventID("validated", sigID.String())
}

// validate confirms a signature (the ledger's ValidateSignature) and its
// follow-up on the petition for creators and sponsors.
func (s *petitionSim) validate(ref sigRef, at time.Time) error {
	return s.validateWithID(ref, validatedEventID(ref.id), at)
}

// validateWithID is validate with the validation's event ID computed ahead.
func (s *petitionSim) validateWithID(ref sigRef, eventID uuid.UUID, at time.Time) error {
	events, err := s.signers[ref.key].signer.Validate(s.g.cfg, s.p, ref.id, at)
	if err != nil {
		return err
	}
	if len(events) != 1 {
		return fmt.Errorf("validate %s: %d events", ref.id, len(events))
	}
	if err := s.onSigner(ref.key, []uuid.UUID{eventID}, events); err != nil {
		return err
	}
	v := events[0].(domain.SignatureValidated)
	switch v.Kind {
	case domain.KindCreator:
		events, err := s.p.ConfirmCreator(at)
		return s.onPetition(func(int) uuid.UUID { return domain.DeterministicEventID(s.stream, "creator-confirmed") }, events, err)
	case domain.KindSponsor:
		events, err := s.p.SupportSponsor(s.g.cfg, ref.key, v, at)
		return s.onPetition(func(int) uuid.UUID {
			return domain.DeterministicEventID(s.stream, "sponsor", ref.id.String())
		}, events, err)
	}
	return nil
}

// close closes the petition at its deadline.
func (s *petitionSim) closeAtDeadline() error {
	events, err := s.p.Close(domain.CloseAtDeadline, s.p.ClosesAt)
	return s.onPetition(func(int) uuid.UUID { return domain.ClosedEventID(s.id) }, events, err)
}

// summary recounts the petition with the counting rule.
func (s *petitionSim) summary() Summary {
	sum := Summary{ID: s.id, Action: s.p.Action, State: s.p.State}
	for _, key := range s.order {
		for _, rec := range s.signers[key].signer.Signatures {
			sum.Signatures++
			if domain.Counts(rec.Facts(), s.p.ClosedAt, s.g.cfg.ValidationGrace) {
				sum.Counted++
			}
		}
	}
	return sum
}
