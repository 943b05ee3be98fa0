package ledger

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// SignRequest asks to sign a petition.
type SignRequest struct {
	PetitionID int64
	Signer     domain.SignerInput
	// Kind is KindSigner (default) or KindSponsor.
	Kind domain.SignatureKind
	// EventID makes the request idempotent: a retry with the same ID
	// returns the first receipt and writes nothing. Zero: a fresh ID.
	EventID uuid.UUID
}

// SignatureIDFor derives the signature id from the request's event ID, so a
// retried request names the same signature.
func SignatureIDFor(eventID uuid.UUID) uuid.UUID {
	return domain.DeterministicEventID("signature", eventID.String())
}

// Sign records a pending signature and emails a confirmation link. The
// signature goes to the signer stream of the canonical email, appended with
// the exact revision that was read: two nodes racing to add a third
// signature for one email cannot both succeed. Over the rate limit the
// signature is recorded and marked fraudulent (Receipt.Fraudulent), not
// refused.
func (s *Service) Sign(ctx context.Context, req SignRequest) (Receipt, error) {
	now := s.now()
	if req.EventID == uuid.Nil {
		req.EventID = uuid.New()
	}
	if req.Kind == "" {
		req.Kind = domain.KindSigner
	}
	if req.Kind != domain.KindSigner && req.Kind != domain.KindSponsor {
		return Receipt{}, domain.Errorf(domain.EINVALID, "kind", "Sign as a signer or as a sponsor.")
	}
	sigID := SignatureIDFor(req.EventID)
	sig, err := s.rules.PrepareSignature(req.Signer, req.PetitionID, sigID, req.Kind, now)
	if err != nil {
		return Receipt{}, err
	}
	p, err := s.Petition(ctx, req.PetitionID)
	if err != nil {
		return Receipt{}, err
	}
	fraud := ""
	if req.Kind == domain.KindSigner {
		fraud = s.opts.Limiter.Attempt(sig.IPHash, req.PetitionID, now)
	}
	fraudID := domain.DeterministicEventID("fraud", req.EventID.String())
	stream := domain.SignerStream(req.PetitionID, sig.SignerKey)
	r, err := s.run(ctx, stream, func(l loaded) (decision, error) {
		if rec, ok := l.find(req.EventID); ok { // a retry of a request that was written
			done := receiptFor(rec)
			if fr, ok := l.find(fraudID); ok { // the position of the last event written, as first reported
				done.Fraudulent, done.Position = true, fr.Position
			}
			return decision{done: done}, nil
		}
		signer, err := domain.ReplaySigner(l.events)
		if err != nil {
			return decision{}, fmt.Errorf("ledger: %s: %w", stream, err)
		}
		events, err := signer.Sign(s.rules.Config, p, sig, domain.SignOptions{FraudReason: fraud})
		if err != nil {
			return decision{}, err
		}
		return decision{ids: []uuid.UUID{req.EventID, fraudID}[:len(events)], events: events}, nil
	})
	if err != nil {
		return Receipt{}, err
	}
	r.PetitionID, r.SignatureID = req.PetitionID, sigID
	if !r.AlreadyDone {
		r.Fraudulent = fraud != ""
		if !r.Fraudulent {
			kind := MailConfirmSignature
			if req.Kind == domain.KindSponsor {
				kind = MailConfirmSponsor
			}
			s.sendConfirmation(ctx, kind, req.Signer.Email, sig)
		}
		if s.log.Enabled(ctx, slog.LevelInfo) { // skip rendering the attributes when info is off
			s.log.InfoContext(ctx, "signature recorded", "petition_id", req.PetitionID, "signature_id", sigID.String(),
				"fraudulent", r.Fraudulent, "position", r.Position.String())
		}
	}
	return r, nil
}

func hasEvent(l loaded, id uuid.UUID) bool {
	_, ok := l.find(id)
	return ok
}

// sendConfirmation emails the confirmation link of a pending signature. A
// mail failure is logged, not returned: the signature is recorded, and the
// signer can ask for the link again.
func (s *Service) sendConfirmation(ctx context.Context, kind, email string, sig domain.SignatureSigned) {
	link := ConfirmLink{PetitionID: sig.PetitionID, SignerKey: sig.SignerKey, SignatureID: sig.SignatureID}
	link.Token = tokenFor(s.opts.TokenSecret, link.PetitionID, link.SignerKey, link.SignatureID)
	err := s.opts.Mailer.Send(ctx, Message{Kind: kind, To: email, PetitionID: sig.PetitionID,
		SignatureID: sig.SignatureID, Link: link.URL(s.opts.BaseURL)})
	if err != nil {
		s.log.WarnContext(ctx, "confirmation mail not sent", "petition_id", sig.PetitionID,
			"signature_id", sig.SignatureID.String(), "err", err.Error())
	}
}

// ValidatedEventID is the event ID of a signature's validation.
func ValidatedEventID(sigID uuid.UUID) uuid.UUID {
	return domain.DeterministicEventID("validated", sigID.String())
}

// ValidateSignature confirms a signature from its emailed link. The link
// names the signer stream, so the signature is found with one read. Clicking
// twice is a success (AlreadyDone). A creator's confirmation also moves the
// petition to validated; a sponsor's adds their support.
func (s *Service) ValidateSignature(ctx context.Context, link ConfirmLink) (Receipt, error) {
	if !validToken(s.opts.TokenSecret, link) {
		return Receipt{}, domain.Errorf(domain.ECodeInvalidToken, "token",
			"This confirmation link is not valid. Copy the whole link from the email, or sign again.")
	}
	now := s.now()
	p, err := s.Petition(ctx, link.PetitionID)
	if err != nil {
		return Receipt{}, err
	}
	stream := domain.SignerStream(link.PetitionID, link.SignerKey)
	var validated domain.SignatureValidated
	r, err := s.run(ctx, stream, func(l loaded) (decision, error) {
		signer, err := domain.ReplaySigner(l.events)
		if err != nil {
			return decision{}, fmt.Errorf("ledger: %s: %w", stream, err)
		}
		events, err := signer.Validate(s.rules.Config, p, link.SignatureID, now)
		if err != nil {
			return decision{}, err
		}
		rec := signer.Find(link.SignatureID)
		validated = domain.SignatureValidated{SignatureID: rec.ID, PetitionID: link.PetitionID, SignerKey: link.SignerKey,
			Kind: rec.Kind, Location: rec.Location, SignedAt: rec.SignedAt, At: rec.ValidatedAt}
		if len(events) == 0 {
			done, _ := l.find(ValidatedEventID(link.SignatureID))
			return decision{done: receiptFor(done)}, nil
		}
		return decision{ids: []uuid.UUID{ValidatedEventID(link.SignatureID)}, events: events}, nil
	})
	if err != nil {
		return Receipt{}, err
	}
	r.PetitionID, r.SignatureID = link.PetitionID, link.SignatureID
	if err := s.followUpValidation(ctx, validated); err != nil {
		return r, err
	}
	return r, nil
}

// followUpValidation writes the petition-side consequence of a creator's or
// sponsor's validation, with a deterministic ID so it is written once even
// when retried or raced.
func (s *Service) followUpValidation(ctx context.Context, v domain.SignatureValidated) error {
	var decide func(p *domain.Petition) ([]domain.Event, error)
	var id uuid.UUID
	switch v.Kind {
	case domain.KindCreator:
		id = domain.DeterministicEventID(domain.PetitionStream(v.PetitionID), "creator-confirmed")
		decide = func(p *domain.Petition) ([]domain.Event, error) { return p.ConfirmCreator(s.now()) }
	case domain.KindSponsor:
		id = domain.DeterministicEventID(domain.PetitionStream(v.PetitionID), "sponsor", v.SignatureID.String())
		decide = func(p *domain.Petition) ([]domain.Event, error) {
			return p.SupportSponsor(s.rules.Config, v.SignerKey, v, s.now())
		}
	default:
		return nil
	}
	_, err := s.onPetition(ctx, v.PetitionID, func(int) uuid.UUID { return id }, decide)
	switch domain.ErrorCode(err) {
	case domain.ECodeTooManySponsors, domain.ECodeInvalidTransition:
		// The signature stands and counts; the petition simply has enough
		// sponsors already, or has moved on.
		s.log.InfoContext(ctx, "sponsor support not recorded", "petition_id", v.PetitionID,
			"signature_id", v.SignatureID.String(), "reason", domain.ErrorCode(err))
		return nil
	}
	if err != nil {
		return fmt.Errorf("ledger: petition %d after validating %s: %w", v.PetitionID, v.SignatureID, err)
	}
	return nil
}

// Sponsor records a sponsor's pending signature on a petition that is
// gathering sponsors (validated or sponsored). eventID as in SignRequest.
func (s *Service) Sponsor(ctx context.Context, petitionID int64, in domain.SignerInput, eventID uuid.UUID) (Receipt, error) {
	return s.Sign(ctx, SignRequest{PetitionID: petitionID, Signer: in, Kind: domain.KindSponsor, EventID: eventID})
}

// ResendConfirmation emails a fresh copy of the confirmation link of every
// pending signature the address made on the petition, and returns how many
// were sent. An address with no pending signature gets nothing (and the
// caller should not reveal which case happened).
func (s *Service) ResendConfirmation(ctx context.Context, petitionID int64, email string) (int, error) {
	key, err := s.rules.SignerKeyFor(email)
	if err != nil {
		return 0, err
	}
	l, err := s.load(ctx, domain.SignerStream(petitionID, key))
	if err != nil {
		return 0, err
	}
	signer, err := domain.ReplaySigner(l.events)
	if err != nil {
		return 0, fmt.Errorf("ledger: %s: %w", l.stream, err)
	}
	sent := 0
	for _, rec := range signer.Signatures {
		if rec.State != domain.SigPending {
			continue
		}
		kind := map[domain.SignatureKind]string{domain.KindCreator: MailConfirmPetition,
			domain.KindSponsor: MailConfirmSponsor}[rec.Kind]
		if kind == "" {
			kind = MailConfirmSignature
		}
		s.sendConfirmation(ctx, kind, email, domain.SignatureSigned{SignatureID: rec.ID, PetitionID: petitionID, SignerKey: key})
		sent++
	}
	return sent, nil
}
