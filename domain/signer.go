package domain

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// SignatureRecord is one signature as a signer stream knows it.
type SignatureRecord struct {
	ID             uuid.UUID
	Kind           SignatureKind
	Location       Location
	State          SignatureState
	NameHash       string
	PostcodeHash   string
	IPHash         string
	IPPrefixHashes []PrefixHash
	EmailDomain    string // keyed hash
	Sealed         Sealed
	SignedAt       time.Time
	ValidatedAt    time.Time
}

// Facts returns what the counting rule needs.
func (s SignatureRecord) Facts() CountFacts {
	return CountFacts{State: s.State, SignedAt: s.SignedAt, ValidatedAt: s.ValidatedAt}
}

// Signer is the state of one signer stream: one signer key's signatures on
// one petition (at most Config.MaxSignaturesPerEmail).
type Signer struct {
	PetitionID int64
	Key        string
	Signatures []SignatureRecord
	Version    int // number of events applied
}

// ReplaySigner folds a signer stream's events in order.
func ReplaySigner(events []Event) (*Signer, error) {
	s := &Signer{}
	for _, e := range events {
		if err := s.Apply(e); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Apply folds one event of the signer stream.
func (s *Signer) Apply(e Event) error {
	if err := s.apply(e); err != nil {
		return fmt.Errorf("domain: signer stream %d/%s: apply %s at version %d: %w",
			s.PetitionID, s.Key, e.EventType(), s.Version, err)
	}
	s.Version++
	return nil
}

func (s *Signer) apply(e Event) error {
	if ss, ok := e.(SignatureSigned); ok {
		if s.Key == "" {
			s.PetitionID, s.Key = ss.PetitionID, ss.SignerKey
		}
		if ss.SignerKey != s.Key || ss.PetitionID != s.PetitionID {
			return fmt.Errorf("%w: signature for petition %d key %s in this stream", ErrMalformedEvent, ss.PetitionID, ss.SignerKey)
		}
		if s.Find(ss.SignatureID) != nil {
			return fmt.Errorf("%w: signature %s signed twice", ErrMalformedEvent, ss.SignatureID)
		}
		s.Signatures = append(s.Signatures, SignatureRecord{ID: ss.SignatureID, Kind: ss.Kind, Location: ss.Location,
			State: ss.To, NameHash: ss.NameHash, PostcodeHash: ss.PostcodeHash, IPHash: ss.IPHash,
			IPPrefixHashes: ss.IPPrefixHashes, EmailDomain: ss.EmailDomainHash, Sealed: ss.Sealed, SignedAt: ss.At})
		return nil
	}
	se, ok := e.(SignatureEvent)
	if !ok {
		return fmt.Errorf("%w: %s is not a signature event", ErrMalformedEvent, e.EventType())
	}
	rec := s.Find(se.Signature())
	if rec == nil {
		return fmt.Errorf("%w: unknown signature %s", ErrMalformedEvent, se.Signature())
	}
	from, to := se.Transition()
	if rec.State != from {
		return fmt.Errorf("%w: signature %s is %q, event moves it from %q", ErrMalformedEvent, rec.ID, rec.State, from)
	}
	rec.State = to
	if to == SigValidated {
		rec.ValidatedAt = e.OccurredAt()
	}
	return nil
}

// Find returns the signature with this id, or nil.
func (s *Signer) Find(id uuid.UUID) *SignatureRecord {
	for i := range s.Signatures {
		if s.Signatures[i].ID == id {
			return &s.Signatures[i]
		}
	}
	return nil
}

// SignOptions carries what the ledger knows about a signing attempt beyond
// the event itself.
type SignOptions struct {
	// FraudReason, when set (e.g. ReasonRateBurst from a RateLimiter),
	// records the signature and at once marks it fraudulent.
	FraudReason string
}

// Sign decides a new signature (built by Rules.PrepareSignature) on petition
// p by this signer key:
//
//   - signers sign only while p is open and before it closes; sponsors only
//     while it gathers sponsors (validated/sponsored), never the creator;
//   - at most cfg.MaxSignaturesPerEmail signatures per canonical email; the
//     second must have a different name at the same postcode. Every
//     signature holds its slot whatever its later state.
//
// Over the rate limit it returns SignatureSigned followed by
// SignatureMarkedFraudulent, so nothing is lost.
func (s *Signer) Sign(cfg Config, p *Petition, sig SignatureSigned, opts SignOptions) ([]Event, error) {
	if err := checkSignable(cfg, p, sig); err != nil {
		return nil, err
	}
	if s.Key != "" && s.Key != sig.SignerKey {
		return nil, fmt.Errorf("domain: signature for key %s offered to stream of key %s", sig.SignerKey, s.Key)
	}
	if err := s.checkSlots(cfg, sig); err != nil {
		return nil, err
	}
	events := []Event{sig}
	if opts.FraudReason != "" {
		events = append(events, SignatureMarkedFraudulent{SignatureID: sig.SignatureID, PetitionID: sig.PetitionID,
			SignerKey: sig.SignerKey, Location: sig.Location, From: SigPending, To: SigFraudulent,
			Reason: opts.FraudReason, SignedAt: sig.At, At: sig.At})
	}
	return events, nil
}

func checkSignable(cfg Config, p *Petition, sig SignatureSigned) error {
	switch {
	case p.State == StateNone:
		return Errorf(ECodePetitionNotFound, "", "There is no such petition.")
	case sig.Kind == KindSponsor:
		if p.State != StateValidated && p.State != StateSponsored {
			return Errorf(ECodePetitionNotOpen, "", "This petition is not gathering sponsors.")
		}
		if sig.SignerKey == p.CreatorKey {
			return Errorf(ECodeDuplicateSignature, "email", "You created this petition, so you cannot sponsor it.")
		}
		if len(p.Sponsors) >= cfg.MaxSponsors {
			return Errorf(ECodeTooManySponsors, "", "This petition already has %d sponsors.", cfg.MaxSponsors)
		}
		return nil
	case sig.Kind == KindCreator:
		return Errorf(EINVALID, "kind", "The creator signs by creating the petition.")
	case p.State == StateClosed || (p.State == StateOpen && !sig.At.Before(p.ClosesAt)):
		return Errorf(ECodePetitionClosed, "", "This petition is closed. You can no longer sign it.")
	case p.State != StateOpen:
		return Errorf(ECodePetitionNotOpen, "", "This petition is not open for signatures.")
	}
	return nil
}

func (s *Signer) checkSlots(cfg Config, sig SignatureSigned) error {
	if len(s.Signatures) >= cfg.MaxSignaturesPerEmail {
		return Errorf(ECodeTooManySignatures, "email",
			"This email address has already been used to sign this petition %d times.", len(s.Signatures))
	}
	for _, old := range s.Signatures {
		if old.NameHash == sig.NameHash {
			return Errorf(ECodeDuplicateSignature, "name",
				"This email address has already signed this petition with this name.")
		}
		if old.PostcodeHash != sig.PostcodeHash {
			return Errorf(ECodeDuplicateSignature, "postcode",
				"A second signature from this email address must be at the same postcode.")
		}
	}
	return nil
}

// Validate decides the confirmation of a pending signature at now. A signer
// validates while the petition is open, or up to cfg.ValidationGrace after
// it closed if they signed before it closed. Validating an already validated
// signature returns no events (a link clicked twice).
func (s *Signer) Validate(cfg Config, p *Petition, id uuid.UUID, now time.Time) ([]Event, error) {
	rec := s.Find(id)
	if rec == nil {
		return nil, Errorf(ECodeSignatureNotFound, "", "We could not find that signature. Please sign again.")
	}
	switch rec.State {
	case SigValidated:
		return nil, nil
	case SigInvalidated, SigFraudulent:
		return nil, Errorf(ECodeInvalidTransition, "", "This signature has been removed and cannot be confirmed.")
	}
	now = now.UTC()
	if closed := p.EffectiveClose(now); !closed.IsZero() &&
		(rec.SignedAt.After(closed) || now.After(closed.Add(cfg.ValidationGrace))) {
		return nil, Errorf(ECodeValidationExpired, "", "This petition closed on %s; the signature can no longer be confirmed.",
			closed.Format(DateLayout))
	}
	if p.State == StateRejected || p.State == StateHidden || p.State == StateStopped {
		return nil, Errorf(ECodePetitionNotOpen, "", "This petition is not open for signatures.")
	}
	return []Event{SignatureValidated{SignatureID: rec.ID, PetitionID: s.PetitionID, SignerKey: s.Key, Kind: rec.Kind,
		Location: rec.Location, From: rec.State, To: SigValidated, SignedAt: rec.SignedAt, At: now}}, nil
}

// Invalidate decides the removal of a signature by an invalidation. An
// already invalidated signature returns no events.
func (s *Signer) Invalidate(id, invalidationID uuid.UUID, reason string, now time.Time) ([]Event, error) {
	rec := s.Find(id)
	if rec == nil {
		return nil, Errorf(ECodeSignatureNotFound, "", "No such signature.")
	}
	if rec.State == SigInvalidated {
		return nil, nil
	}
	return []Event{SignatureInvalidated{SignatureID: rec.ID, PetitionID: s.PetitionID, SignerKey: s.Key,
		Location: rec.Location, From: rec.State, To: SigInvalidated, InvalidationID: invalidationID, Reason: reason,
		SignedAt: rec.SignedAt, ValidatedAt: rec.ValidatedAt, At: now.UTC()}}, nil
}

// MarkFraudulent decides marking a pending or validated signature fraudulent.
func (s *Signer) MarkFraudulent(id uuid.UUID, reason string, now time.Time) ([]Event, error) {
	rec := s.Find(id)
	if rec == nil {
		return nil, Errorf(ECodeSignatureNotFound, "", "No such signature.")
	}
	if rec.State != SigPending && rec.State != SigValidated {
		return nil, Errorf(ECodeInvalidTransition, "", "A %s signature cannot be marked fraudulent.", rec.State)
	}
	if reason == "" {
		return nil, Errorf(ECodeRequired, "reason", "Give a reason.")
	}
	return []Event{SignatureMarkedFraudulent{SignatureID: rec.ID, PetitionID: s.PetitionID, SignerKey: s.Key,
		Location: rec.Location, From: rec.State, To: SigFraudulent, Reason: reason, SignedAt: rec.SignedAt,
		ValidatedAt: rec.ValidatedAt, At: now.UTC()}}, nil
}
