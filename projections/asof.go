package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// As-of replay: a petition's state at a past $all position or domain time
// is refolded from its audit trail. Count entries carry their delta and
// places, so they are folded straight from the 32-byte records; the few
// lifecycle entries (creation, publication, closing, response, ...) are
// read back from the store by position and decoded. No snapshot is needed:
// a petition with 1M counted signatures has a 32 MB trail, read
// sequentially in pages.

// asOfPage is how many audit records a replay reads at a time.
const asOfPage = 1 << 15

// AsOfPosition returns petition id's state after every event at or before
// pos. The petition must exist in this view; ok is false when it did not
// exist yet at pos.
func (v *View) AsOfPosition(ctx context.Context, id int64, pos eventstore.Position) (PetitionState, bool, error) {
	return v.asOf(ctx, id, func(r *auditRecord) bool { return r.pos.Compare(pos) <= 0 })
}

// AsOfTime returns petition id's state after the events of its trail, in
// log order, up to (not including) the first whose domain time is after t.
func (v *View) AsOfTime(ctx context.Context, id int64, t time.Time) (PetitionState, bool, error) {
	ns := t.UnixNano()
	return v.asOf(ctx, id, func(r *auditRecord) bool { return r.at <= ns })
}

func (v *View) asOf(ctx context.Context, id int64, include func(*auditRecord) bool) (PetitionState, bool, error) {
	cur, ok := v.Petition(id)
	if !ok {
		return PetitionState{}, false, fmt.Errorf("%w: %d", ErrPetitionNotFound, id)
	}
	p := newPetition(id, 0, v.places)
	for from := uint64(0); from < cur.AuditLen; from += asOfPage {
		if err := ctx.Err(); err != nil {
			return PetitionState{}, false, err
		}
		recs, err := v.audit.read(id, from, asOfPage, cur.AuditLen)
		if err != nil {
			return PetitionState{}, false, err
		}
		for i := range recs {
			r := &recs[i]
			if !include(r) {
				return v.asOfResult(p)
			}
			if err := v.replay(ctx, p, r); err != nil {
				return PetitionState{}, false, err
			}
		}
	}
	return v.asOfResult(p)
}

func (v *View) asOfResult(p *petition) (PetitionState, bool, error) {
	if p.st.AuditLen == 0 {
		return PetitionState{}, false, nil
	}
	return *p.published(), true, nil
}

// replay folds one audit record into p.
func (v *View) replay(ctx context.Context, p *petition, r *auditRecord) error {
	if r.delta != 0 {
		p.applyCount(v.rules, int32(r.delta), r.cs, r.ks, r.at)
	} else {
		ev, err := v.eventAt(ctx, r.pos)
		if err != nil {
			return err
		}
		e, err := domain.DecodeEventWithID(ev.Type, ev.ID.String(), ev.Data)
		if err != nil {
			return fmt.Errorf("projections: as-of replay: %w", err)
		}
		p.applyPetitionEvent(e)
	}
	p.st.AuditLen++
	p.st.Position = r.pos
	return nil
}
