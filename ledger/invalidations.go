package ledger

import (
	"context"
	"fmt"
	"sort"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// RequestInvalidation records an invalidation request in its own stream,
// "invalidation-{uuid}". The criteria are keyed hashes.
func (s *Service) RequestInvalidation(ctx context.Context, req domain.InvalidationRequest) (uuid.UUID, Receipt, error) {
	id := uuid.New()
	ev, err := s.rules.RequestInvalidation(req, id, s.now())
	if err != nil {
		return uuid.Nil, Receipt{}, err
	}
	stream := domain.InvalidationStream(id)
	eventID := domain.DeterministicEventID(stream, "requested")
	res, err := s.appendEvents(ctx, stream, eventstore.NoStream{}, []uuid.UUID{eventID}, []domain.Event{ev})
	if err != nil {
		return uuid.Nil, Receipt{}, err
	}
	return id, Receipt{Stream: stream, EventID: eventID, Position: res.Position, PetitionID: req.PetitionID}, nil
}

// InvalidationResult is the outcome of CompleteInvalidation.
type InvalidationResult struct {
	Matching    int // signatures that meet the criteria (already invalidated ones included)
	Invalidated int // signatures this invalidation moved to invalidated
	Receipt     Receipt
}

// CompleteInvalidation scans the signer streams in the criteria's scope,
// invalidates every matching signature (each with a deterministic event ID,
// so running it twice, or on two nodes, removes each signature once), and
// records the counts.
func (s *Service) CompleteInvalidation(ctx context.Context, id uuid.UUID) (InvalidationResult, error) {
	stream := domain.InvalidationStream(id)
	l, err := s.load(ctx, stream)
	if err != nil {
		return InvalidationResult{}, err
	}
	var inv domain.Invalidation
	for _, e := range l.events {
		if err := inv.Apply(e); err != nil {
			return InvalidationResult{}, fmt.Errorf("ledger: %s: %w", stream, err)
		}
	}
	if inv.Version == 0 {
		return InvalidationResult{}, domain.Errorf(domain.ECodeInvalidationNotFound, "", "There is no invalidation %s.", id)
	}
	if inv.Completed != nil {
		return InvalidationResult{Matching: inv.Completed.MatchingCount, Invalidated: inv.Completed.InvalidatedCount,
			Receipt: Receipt{Stream: stream, AlreadyDone: true}}, nil
	}
	streams, err := s.candidateStreams(ctx, inv.Criteria)
	if err != nil {
		return InvalidationResult{}, err
	}
	var res InvalidationResult
	for _, st := range streams {
		m, n, err := s.invalidateIn(ctx, st, inv)
		if err != nil {
			return InvalidationResult{}, err
		}
		res.Matching += m
		res.Invalidated += n
	}
	r, err := s.run(ctx, stream, func(l loaded) (decision, error) {
		var v domain.Invalidation
		for _, e := range l.events {
			if err := v.Apply(e); err != nil {
				return decision{}, err
			}
		}
		events, err := v.Complete(res.Matching, res.Invalidated, s.now())
		if err != nil {
			return decision{}, err
		}
		return decision{ids: []uuid.UUID{domain.DeterministicEventID(stream, "completed")}, events: events}, nil
	})
	if domain.ErrorCode(err) == domain.ECodeAlreadyDone { // a racing node finished first
		return s.CompleteInvalidation(ctx, id)
	}
	res.Receipt = r
	return res, err
}

// invalidateIn invalidates the matching signatures of one signer stream and
// returns (matching, newly invalidated).
func (s *Service) invalidateIn(ctx context.Context, stream string, inv domain.Invalidation) (int, int, error) {
	petitionID, key, ok := domain.ParseSignerStream(stream)
	if !ok {
		return 0, 0, nil
	}
	matching, invalidated := 0, 0
	var sponsors []uuid.UUID // sponsor signatures among the matches
	_, err := s.run(ctx, stream, func(l loaded) (decision, error) {
		signer, err := domain.ReplaySigner(l.events)
		if err != nil {
			return decision{}, fmt.Errorf("ledger: %s: %w", stream, err)
		}
		matching, invalidated, sponsors = 0, 0, nil
		var d decision
		for _, rec := range signer.Signatures {
			if !inv.Criteria.Matches(petitionID, key, rec) {
				continue
			}
			matching++
			if rec.Kind == domain.KindSponsor {
				sponsors = append(sponsors, rec.ID)
			}
			eventID := domain.DeterministicEventID(domain.InvalidationStream(inv.ID), rec.ID.String())
			if hasEvent(l, eventID) {
				invalidated++ // by an earlier, interrupted run of this invalidation
				continue
			}
			events, err := signer.Invalidate(rec.ID, inv.ID, inv.Reason, s.now())
			if err != nil {
				return decision{}, err
			}
			if len(events) > 0 {
				invalidated++
				d.ids = append(d.ids, eventID)
				d.events = append(d.events, events...)
			}
		}
		if len(d.events) == 0 {
			return decision{done: &Receipt{AlreadyDone: true}}, nil
		}
		return d, nil
	})
	if err != nil {
		return matching, invalidated, err
	}
	for _, sigID := range sponsors {
		if err := s.withdrawSponsor(ctx, petitionID, key, sigID); err != nil {
			return matching, invalidated, err
		}
	}
	return matching, invalidated, nil
}

// withdrawSponsor undoes an invalidated sponsor's support on a petition not
// yet moderated (sponsored → validated below the threshold). The event ID
// is deterministic, so a repeated or racing completion writes it once.
func (s *Service) withdrawSponsor(ctx context.Context, petitionID int64, key string, sigID uuid.UUID) error {
	id := domain.DeterministicEventID(domain.PetitionStream(petitionID), "sponsor-withdrawn", sigID.String())
	_, err := s.onPetition(ctx, petitionID, func(int) uuid.UUID { return id }, func(p *domain.Petition) ([]domain.Event, error) {
		return p.WithdrawSponsor(s.rules.Config, key, sigID, s.now())
	})
	if err != nil {
		return fmt.Errorf("ledger: withdraw sponsor of petition %d: %w", petitionID, err)
	}
	return nil
}

// candidateStreams lists the signer streams holding a signature that meets
// the criteria, by scanning $all filtered by stream name (no in-memory
// index) and testing each SignatureSigned event as it passes, so memory
// grows with the matches, not with the petition's signatures.
func (s *Service) candidateStreams(ctx context.Context, c domain.InvalidationCriteria) ([]string, error) {
	prefix := domain.SignerStreamPrefix
	if c.PetitionID > 0 {
		prefix = domain.SignerStreamPrefixFor(c.PetitionID)
	}
	filter := &eventstore.Filter{On: eventstore.FilterStreamName, Prefixes: []string{prefix}}
	seen := map[string]bool{}
	var from eventstore.AllFrom = eventstore.Start{}
	for {
		recs, err := s.store.ReadAll(ctx, eventstore.ReadAllOptions{From: from, MaxCount: 1024, Filter: filter})
		if err != nil {
			return nil, fmt.Errorf("ledger: scan signer streams: %w", err)
		}
		for _, r := range recs {
			if r.Type != domain.TypeSignatureSigned || seen[r.Stream] {
				continue
			}
			e, err := domain.DecodeEventWithID(r.Type, r.ID.String(), r.Data)
			if err != nil {
				return nil, fmt.Errorf("ledger: scan signer streams: %w", err)
			}
			if c.MatchesSigned(e.(domain.SignatureSigned)) {
				seen[r.Stream] = true
			}
		}
		if len(recs) < 1024 {
			break
		}
		last := recs[len(recs)-1].Position
		from = eventstore.Position{Commit: last.Commit, Prepare: last.Prepare + 1}
	}
	out := make([]string, 0, len(seen))
	for st := range seen {
		out = append(out, st)
	}
	sort.Strings(out)
	return out, nil
}

// Invalidate requests an invalidation and completes it at once.
func (s *Service) Invalidate(ctx context.Context, req domain.InvalidationRequest) (uuid.UUID, InvalidationResult, error) {
	id, _, err := s.RequestInvalidation(ctx, req)
	if err != nil {
		return uuid.Nil, InvalidationResult{}, err
	}
	res, err := s.CompleteInvalidation(ctx, id)
	return id, res, err
}
