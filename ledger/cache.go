package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// petitionCache keeps each petition's folded state with the revision it
// covers, so reading a petition costs one stream read of the events after
// that revision (usually none) instead of decoding the whole stream. The
// store is still read every time: the cache saves decoding, never freshness.
// Petitions are few (thousands), so entries are never evicted.
type petitionCache struct {
	mu sync.Mutex
	m  map[int64]cachedPetition // guarded by mu
}

type cachedPetition struct {
	p   *domain.Petition // never mutated once stored
	rev uint64           // revision of the last event folded into p
}

func (c *petitionCache) get(id int64) (cachedPetition, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	return e, ok
}

func (c *petitionCache) put(id int64, e cachedPetition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]cachedPetition{}
	}
	if old, ok := c.m[id]; !ok || old.rev < e.rev {
		c.m[id] = e
	}
}

func (c *petitionCache) drop(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// Petition returns the current state of a petition, as of a read of its
// stream made during the call. The caller may modify the result.
func (s *Service) Petition(ctx context.Context, id int64) (*domain.Petition, error) {
	stream := domain.PetitionStream(id)
	cached, ok := s.cache.get(id)
	if !ok {
		l, err := s.load(ctx, stream)
		if err != nil {
			return nil, err
		}
		if len(l.events) == 0 {
			return nil, domain.Errorf(domain.ECodePetitionNotFound, "", "There is no petition %d.", id)
		}
		p, err := s.loadPetition(l)
		if err != nil {
			return nil, err
		}
		s.cache.put(id, cachedPetition{p: p.Clone(), rev: l.recorded[len(l.recorded)-1].Revision})
		return p, nil
	}
	recs, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{From: eventstore.Revision(cached.rev + 1)})
	if errors.Is(err, eventstore.ErrStreamNotFound) || errors.Is(err, eventstore.ErrStreamDeleted) {
		s.cache.drop(id)
		return nil, domain.Errorf(domain.ECodePetitionNotFound, "", "There is no petition %d.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: read %s: %w", stream, err)
	}
	p := cached.p.Clone()
	for _, r := range recs {
		e, err := domain.DecodeEventWithID(r.Type, r.ID.String(), r.Data)
		if err != nil {
			return nil, fmt.Errorf("ledger: stream %s revision %d: %w", stream, r.Revision, err)
		}
		if err := p.Apply(e); err != nil {
			return nil, fmt.Errorf("ledger: %s: %w", stream, err)
		}
	}
	if len(recs) > 0 {
		s.cache.put(id, cachedPetition{p: p.Clone(), rev: recs[len(recs)-1].Revision})
	}
	return p, nil
}
