package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// maxIDProbes bounds how many petition ids CreatePetition tries.
const maxIDProbes = 10_000

// CreatePetition allocates the next petition id by appending
// PetitionCreated to "petition-{n}" with NoStream, trying the next n when
// another node took it; then it records the creator's pending signature and
// emails the creator a confirmation link.
func (s *Service) CreatePetition(ctx context.Context, cmd domain.CreatePetition) (Receipt, error) {
	now := s.now()
	sigID := uuid.New()
	eventID := uuid.New()
	// Validate once before probing so bad input fails fast.
	if _, _, err := s.rules.CreatePetition(cmd, 1, sigID, now); err != nil {
		return Receipt{}, err
	}
	n, err := s.firstCandidateID(ctx)
	if err != nil {
		return Receipt{}, err
	}
	for probes := 0; probes < maxIDProbes; probes, n = probes+1, n+1 {
		rc, taken, err := s.createAt(ctx, n, cmd, sigID, eventID, now)
		if taken {
			continue
		}
		if err != nil {
			return Receipt{}, err
		}
		s.log.InfoContext(ctx, "petition created", "petition_id", n, "position", rc.Position.String())
		return rc, nil
	}
	return Receipt{}, errBusy("petition ids")
}

// createAt creates the petition under id: PetitionCreated appended to
// "petition-{id}" with NoStream, then the creator's pending signature and
// the confirmation mail. taken reports that the id was already used
// (nothing written).
func (s *Service) createAt(ctx context.Context, id int64, cmd domain.CreatePetition, sigID, eventID uuid.UUID,
	now time.Time) (rc Receipt, taken bool, err error) {
	created, sig, err := s.rules.CreatePetition(cmd, id, sigID, now)
	if err != nil {
		return Receipt{}, false, err
	}
	stream := domain.PetitionStream(id)
	res, err := s.appendEvents(ctx, stream, eventstore.NoStream{}, []uuid.UUID{eventID}, []domain.Event{created})
	if errors.Is(err, eventstore.ErrWrongExpectedRev) {
		return Receipt{}, true, nil
	}
	if err != nil {
		return Receipt{}, false, err
	}
	s.raiseNextID(id + 1)
	if err := s.recordCreatorSignature(ctx, sig); err != nil {
		return Receipt{}, false, err
	}
	s.sendConfirmation(ctx, MailConfirmPetition, cmd.Creator.Email, sig)
	return Receipt{Stream: stream, EventID: eventID, Position: res.Position, PetitionID: id, SignatureID: sigID}, false, nil
}

// raiseNextID moves the petition-id hint forward, never back.
func (s *Service) raiseNextID(n int64) {
	for {
		cur := s.nextID.Load()
		if cur >= n || s.nextID.CompareAndSwap(cur, n) {
			return
		}
	}
}

// ImportPetition creates a petition under a chosen id (for seeding or
// importing petitions whose ids are already public). It fails with
// petition_exists when the id is taken. Otherwise it behaves like
// CreatePetition.
func (s *Service) ImportPetition(ctx context.Context, id int64, cmd domain.CreatePetition) (Receipt, error) {
	if id <= 0 {
		return Receipt{}, domain.Errorf(domain.EINVALID, "petition_id", "A petition id is a positive whole number.")
	}
	rc, taken, err := s.createAt(ctx, id, cmd, uuid.New(), uuid.New(), s.now())
	if taken {
		return Receipt{}, domain.Errorf(domain.ECodePetitionExists, "petition_id", "Petition %d already exists.", id)
	}
	return rc, err
}

// firstCandidateID returns where to start probing for a free petition id:
// the in-memory hint, or after the newest petition stream in the log.
func (s *Service) firstCandidateID(ctx context.Context) (int64, error) {
	if n := s.nextID.Load(); n > 0 {
		return n, nil
	}
	recs, err := s.store.ReadAll(ctx, eventstore.ReadAllOptions{Direction: eventstore.Backwards, MaxCount: 1,
		Filter: &eventstore.Filter{On: eventstore.FilterEventType, Prefixes: []string{domain.TypePetitionCreated}}})
	if err != nil {
		return 0, fmt.Errorf("ledger: find newest petition: %w", err)
	}
	if len(recs) == 1 {
		if id, ok := domain.ParsePetitionStream(recs[0].Stream); ok {
			return id + 1, nil
		}
	}
	return 1, nil
}

// recordCreatorSignature writes the creator's pending signature to its new
// signer stream (new because the petition id is new).
func (s *Service) recordCreatorSignature(ctx context.Context, sig domain.SignatureSigned) error {
	stream := domain.SignerStream(sig.PetitionID, sig.SignerKey)
	id := domain.DeterministicEventID("creator-signature", sig.SignatureID.String())
	// The petition is already written: try hard not to leave it without its
	// creator's signature. Retrying is safe: the ID is deterministic and the
	// store's idempotency turns a repeated append into a no-op.
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if _, err = s.appendEvents(ctx, stream, eventstore.NoStream{}, []uuid.UUID{id}, []domain.Event{sig}); err == nil {
			return nil
		}
		if ctx.Err() != nil || errors.Is(err, eventstore.ErrWrongExpectedRev) {
			break
		}
		s.log.WarnContext(ctx, "retrying the creator's signature", "petition_id", sig.PetitionID, "attempt", attempt+1,
			"err", err.Error())
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	return fmt.Errorf("ledger: petition %d was created but its creator's signature was not recorded: %w", sig.PetitionID, err)
}

// loadPetition reads and folds a petition stream.
func (s *Service) loadPetition(l loaded) (*domain.Petition, error) {
	p, err := domain.ReplayPetition(l.events)
	if err != nil {
		return nil, fmt.Errorf("ledger: %s: %w", l.stream, err)
	}
	return p, nil
}

// onPetition runs a petition decision in the retry loop. eventID names the
// event(s): nil means fresh random IDs.
func (s *Service) onPetition(ctx context.Context, id int64, eventID func(i int) uuid.UUID,
	decide func(p *domain.Petition) ([]domain.Event, error)) (Receipt, error) {
	stream := domain.PetitionStream(id)
	r, err := s.run(ctx, stream, func(l loaded) (decision, error) {
		if len(l.events) == 0 {
			return decision{}, domain.Errorf(domain.ECodePetitionNotFound, "", "There is no petition %d.", id)
		}
		p, err := s.loadPetition(l)
		if err != nil {
			return decision{}, err
		}
		events, err := decide(p)
		if err != nil {
			return decision{}, err
		}
		if len(events) == 0 {
			return decision{done: &Receipt{AlreadyDone: true}}, nil
		}
		ids := make([]uuid.UUID, len(events))
		for i := range events {
			if eventID != nil {
				ids[i] = eventID(i)
			} else {
				ids[i] = uuid.New()
			}
		}
		if rec, ok := l.find(ids[0]); ok { // written by an earlier attempt or node
			return decision{done: receiptFor(rec)}, nil
		}
		return decision{ids: ids, events: events}, nil
	})
	r.PetitionID = id
	return r, err
}

// Moderate applies a moderator's decision (publish, reject, hide, flag,
// dormant).
func (s *Service) Moderate(ctx context.Context, id int64, m domain.Moderation) (Receipt, error) {
	now := s.now()
	return s.onPetition(ctx, id, nil, func(p *domain.Petition) ([]domain.Event, error) {
		return p.Moderate(s.rules.Config, m, now)
	})
}

// Stop stops an unpublished petition.
func (s *Service) Stop(ctx context.Context, id int64) (Receipt, error) {
	now := s.now()
	return s.onPetition(ctx, id, nil, func(p *domain.Petition) ([]domain.Event, error) { return p.Stop(now) })
}

// Close closes an open petition, at its deadline or early. The close event
// has a deterministic ID, and a petition that is already closed is a
// success (AlreadyDone), so racing nodes are harmless.
func (s *Service) Close(ctx context.Context, id int64, reason domain.CloseReason) (Receipt, error) {
	now := s.now()
	closedID := func(int) uuid.UUID { return domain.ClosedEventID(id) }
	r, err := s.onPetition(ctx, id, closedID, func(p *domain.Petition) ([]domain.Event, error) {
		return p.Close(reason, now)
	})
	if domain.ErrorCode(err) == domain.ECodeAlreadyDone {
		return Receipt{Stream: domain.PetitionStream(id), PetitionID: id, EventID: domain.ClosedEventID(id), AlreadyDone: true}, nil
	}
	return r, err
}

// RespondAsGovernment records the government's response.
func (s *Service) RespondAsGovernment(ctx context.Context, id int64, r domain.GovernmentResponse) (Receipt, error) {
	now := s.now()
	return s.onPetition(ctx, id, nil, func(p *domain.Petition) ([]domain.Event, error) {
		return p.RespondAsGovernment(s.rules.Config, r, now)
	})
}

// ScheduleDebate records the date of a debate.
func (s *Service) ScheduleDebate(ctx context.Context, id int64, date string) (Receipt, error) {
	now := s.now()
	return s.onPetition(ctx, id, nil, func(p *domain.Petition) ([]domain.Event, error) {
		return p.ScheduleDebate(date, now)
	})
}

// RecordDebateOutcome records whether and when the petition was debated.
func (s *Service) RecordDebateOutcome(ctx context.Context, id int64, d domain.DebateOutcome) (Receipt, error) {
	now := s.now()
	return s.onPetition(ctx, id, nil, func(p *domain.Petition) ([]domain.Event, error) {
		return p.RecordDebateOutcome(s.rules.Config, d, now)
	})
}

// AddOtherBusiness records other parliamentary business.
func (s *Service) AddOtherBusiness(ctx context.Context, id int64, b domain.OtherBusiness) (Receipt, error) {
	now := s.now()
	return s.onPetition(ctx, id, nil, func(p *domain.Petition) ([]domain.Event, error) {
		return p.AddOtherBusiness(s.rules.Config, b, now)
	})
}
