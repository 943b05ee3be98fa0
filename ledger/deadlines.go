package ledger

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// deadlineIndex remembers, per node, the published petitions not yet seen
// closed and where its scan of $all stopped, so each CloseDueAtDeadline
// reads only the publications and closes written since the last call. It
// is a cache of the log: a new node rebuilds it by scanning from the start,
// and closing stays correct without it because Close is idempotent.
type deadlineIndex struct {
	mu   sync.Mutex
	from eventstore.AllFrom  // guarded by mu; nil: the start
	open map[int64]time.Time // guarded by mu; petition id → closes at
}

// CloseDueAtDeadline closes every open petition whose deadline has passed
// and returns their ids. It finds them by scanning the log for publications
// and closes (incrementally, see deadlineIndex), so any node may run it at
// any time; running it on several nodes at once closes each petition once.
func (s *Service) CloseDueAtDeadline(ctx context.Context) ([]int64, error) {
	now := s.now()
	due, err := s.publishedBefore(ctx, now)
	if err != nil {
		return nil, err
	}
	var closed []int64
	for _, id := range due {
		r, err := s.Close(ctx, id, domain.CloseAtDeadline)
		switch code := domain.ErrorCode(err); {
		case err == nil:
			if !r.AlreadyDone {
				closed = append(closed, id)
			}
		case code == domain.ECodeNotDue || code == domain.ECodeInvalidTransition:
			// hidden after publication: not ours to close
		default:
			return closed, fmt.Errorf("ledger: close petition %d: %w", id, err)
		}
	}
	return closed, nil
}

// publishedBefore returns, in id order, the published petitions not seen
// closed whose closing instant is at or before now.
func (s *Service) publishedBefore(ctx context.Context, now time.Time) ([]int64, error) {
	d := &s.due
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.open == nil {
		d.open = map[int64]time.Time{}
	}
	if d.from == nil {
		d.from = eventstore.Start{}
	}
	filter := &eventstore.Filter{On: eventstore.FilterEventType,
		Prefixes: []string{domain.TypePetitionPublished, domain.TypePetitionClosed, domain.TypePetitionHidden}}
	for {
		recs, err := s.store.ReadAll(ctx, eventstore.ReadAllOptions{From: d.from, MaxCount: 1024, Filter: filter})
		if err != nil {
			return nil, fmt.Errorf("ledger: scan publications: %w", err)
		}
		for _, r := range recs {
			e, err := domain.DecodeEventWithID(r.Type, r.ID.String(), r.Data)
			if err != nil {
				return nil, fmt.Errorf("ledger: scan publications: %w", err)
			}
			switch e := e.(type) {
			case domain.PetitionPublished:
				d.open[e.PetitionID] = e.ClosesAt
			case domain.PetitionClosed:
				delete(d.open, e.PetitionID)
			case domain.PetitionHidden:
				delete(d.open, e.PetitionID)
			}
		}
		if len(recs) > 0 {
			last := recs[len(recs)-1].Position
			d.from = eventstore.Position{Commit: last.Commit, Prepare: last.Prepare + 1}
		}
		if len(recs) < 1024 {
			break
		}
	}
	var due []int64
	for id, closesAt := range d.open {
		if !closesAt.After(now) {
			due = append(due, id)
		}
	}
	slices.Sort(due)
	return due, nil
}
