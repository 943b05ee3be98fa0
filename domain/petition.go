package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Petition is the state of one petition, folded from its stream. Replaying
// the same events always yields the same Petition.
type Petition struct {
	ID                 int64
	State              PetitionState
	Action             string
	Background         string
	AdditionalDetails  string
	CreatorKey         string
	CreatorSignatureID uuid.UUID
	CreatorSealed      Sealed
	Sponsors           []string // sponsor keys, in order of support
	CreatedAt          time.Time
	ConfirmedAt        time.Time
	SponsoredAt        time.Time // moderation threshold reached
	ModeratedAt        time.Time
	OpenedAt           time.Time
	Deadline           string    // last day to sign (YYYY-MM-DD, Europe/London)
	ClosesAt           time.Time // end of the deadline day, UTC
	ClosedAt           time.Time
	CloseReason        CloseReason
	Rejection          *PetitionRejected
	Response           *GovernmentResponded
	DebateDate         string
	Debate             *DebateOutcomeRecorded
	OtherBusiness      []OtherBusinessAdded
	Version            int // number of events applied
}

// ReplayPetition folds a petition's events in order.
func ReplayPetition(events []Event) (*Petition, error) {
	p := &Petition{}
	for _, e := range events {
		if err := p.Apply(e); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Apply folds one event. An event that cannot follow the current state is
// an error (the log is then inconsistent with the rules).
func (p *Petition) Apply(e Event) error {
	if err := p.apply(e); err != nil {
		return fmt.Errorf("domain: petition %d: apply %s at version %d: %w", p.ID, e.EventType(), p.Version, err)
	}
	p.Version++
	return nil
}

func (p *Petition) apply(e Event) error {
	if _, ok := e.(PetitionCreated); !ok && p.State == StateNone {
		return errNotCreated
	}
	if err := p.checkFrom(e); err != nil {
		return err
	}
	switch e := e.(type) {
	case PetitionCreated:
		if p.State != StateNone {
			return errAlreadyCreated
		}
		*p = Petition{ID: e.PetitionID, State: StatePending, Action: e.Action, Background: e.Background,
			AdditionalDetails: e.AdditionalDetails, CreatorKey: e.CreatorKey,
			CreatorSignatureID: e.CreatorSignatureID, CreatorSealed: e.CreatorSealed, CreatedAt: e.At}
	case PetitionCreatorConfirmed:
		p.State, p.ConfirmedAt = StateValidated, e.At
	case PetitionSponsorSupported:
		p.Sponsors = append(p.Sponsors, e.SponsorKey)
		if e.To != p.State && e.To == StateSponsored {
			p.SponsoredAt = e.At
		}
		p.State = e.To
	case PetitionSponsorWithdrawn:
		p.Sponsors = slices.DeleteFunc(p.Sponsors, func(k string) bool { return k == e.SponsorKey })
		if e.From == StateSponsored && e.To != StateSponsored {
			p.SponsoredAt = time.Time{}
		}
		p.State = e.To
	case PetitionPublished:
		p.State, p.ModeratedAt, p.OpenedAt, p.Deadline, p.ClosesAt = StateOpen, e.At, e.At, e.Deadline, e.ClosesAt
	case PetitionRejected:
		r := e
		p.State, p.ModeratedAt, p.Rejection = StateRejected, e.At, &r
		if e.Hidden {
			p.State = StateHidden
		}
	case PetitionHidden:
		p.State, p.ModeratedAt = StateHidden, e.At
	case PetitionFlagged:
		p.State = StateFlagged
		if e.Dormant {
			p.State = StateDormant
		}
	case PetitionStopped:
		p.State = StateStopped
	case PetitionClosed:
		p.State, p.ClosedAt, p.CloseReason = StateClosed, e.At, e.Reason
	case GovernmentResponded:
		r := e
		p.Response = &r
	case DebateScheduled:
		p.DebateDate = e.DebateDate
	case DebateOutcomeRecorded:
		d := e
		p.Debate = &d
	case OtherBusinessAdded:
		p.OtherBusiness = append(p.OtherBusiness, e)
	default:
		return fmt.Errorf("%w: %s is not a petition event", ErrMalformedEvent, e.EventType())
	}
	return nil
}

// checkFrom rejects a lifecycle event that cannot follow the current state:
// its recorded "from" must be the current state, a confirmation needs a
// pending petition and a close an open one.
func (p *Petition) checkFrom(e Event) error {
	var from PetitionState
	switch e := e.(type) {
	case PetitionSponsorSupported:
		from = e.From
	case PetitionSponsorWithdrawn:
		from = e.From
	case PetitionPublished:
		from = e.From
	case PetitionRejected:
		from = e.From
	case PetitionHidden:
		from = e.From
	case PetitionFlagged:
		from = e.From
	case PetitionStopped:
		from = e.From
	case PetitionCreatorConfirmed:
		from = StatePending
	case PetitionClosed:
		from = StateOpen
	default:
		return nil
	}
	if from != p.State {
		return fmt.Errorf("%w: %s expects state %q, petition is %q", ErrMalformedEvent, e.EventType(), from, p.State)
	}
	return nil
}

var (
	errNotCreated     = fmt.Errorf("%w: event before PetitionCreated", ErrMalformedEvent)
	errAlreadyCreated = fmt.Errorf("%w: second PetitionCreated", ErrMalformedEvent)
)

// SignableAt reports whether an ordinary signature may be made at now: the
// petition is open and its closing instant has not passed.
func (p *Petition) SignableAt(now time.Time) bool {
	return p.State == StateOpen && now.Before(p.ClosesAt)
}

// EffectiveClose returns when the petition stopped taking signatures: the
// close event's time, or ClosesAt once the deadline has passed even if no
// node has written the close yet, or zero while it is open.
func (p *Petition) EffectiveClose(now time.Time) time.Time {
	switch {
	case p.State == StateClosed:
		return p.ClosedAt
	case p.State == StateOpen && !now.Before(p.ClosesAt):
		return p.ClosesAt
	}
	return time.Time{}
}

// HasSponsor reports whether key already supports the petition.
func (p *Petition) HasSponsor(key string) bool {
	for _, k := range p.Sponsors {
		if k == key {
			return true
		}
	}
	return false
}

// beforeModeration reports whether the petition is still gathering sponsors.
func (p *Petition) beforeModeration() bool {
	return p.State == StatePending || p.State == StateValidated || p.State == StateSponsored
}

// Clone returns a copy that shares nothing mutable with p (applying events
// to the copy leaves p unchanged).
func (p *Petition) Clone() *Petition {
	c := *p
	c.Sponsors = append([]string(nil), p.Sponsors...)
	c.OtherBusiness = append([]OtherBusinessAdded(nil), p.OtherBusiness...)
	return &c
}
