package projections

import (
	"time"

	"github.com/petitionledger/petitionledger/domain"
)

// petition is the mutable fold state of one petition, owned by the Ledger.
// Its size does not depend on its number of signatures: the counts are
// fixed-size arrays and the audit trail lives on disk.
type petition struct {
	st       PetitionState // st.counts is nil here; c is the live counts
	ordinal  int           // creation order, 0-based
	c        *counts
	closedAt int64 // Unix nanoseconds, 0 while not closed
	touched  bool  // changed since the last publication
}

func newPetition(id int64, ordinal int, places *Places) *petition {
	return &petition{ordinal: ordinal, st: PetitionState{ID: id, ResponseState: SubStatePending, DebateState: SubStatePending}, c: newCounts(places)}
}

// applyCount folds one change of the signature count (delta is +1 or -1)
// at domain time at, in constituency slot cs and country slot ks. It moves
// the response and debate thresholds the way the UK service does: reaching
// a threshold stamps it with at; falling back below it clears it.
func (p *petition) applyCount(r Rules, delta int32, cs, ks uint16, at int64) {
	if cs != noConstituency {
		p.c.byConstituency[cs] += delta
	}
	p.c.byCountry[ks] += delta
	p.st.SignatureCount += int64(delta)
	t := timeOf(at)
	p.st.UpdatedAt = t
	n, th := p.st.SignatureCount, r.Thresholds
	if delta > 0 {
		if n >= th.Response && p.st.ResponseThresholdReachedAt.IsZero() {
			p.st.ResponseThresholdReachedAt = t
		}
		if n >= th.Debate && p.st.DebateThresholdReachedAt.IsZero() {
			p.st.DebateThresholdReachedAt = t
			if p.st.DebateState == SubStatePending {
				p.st.DebateState = SubStateAwaiting
			}
		}
	} else {
		if n < th.Debate && !p.st.DebateThresholdReachedAt.IsZero() {
			p.st.DebateThresholdReachedAt = time.Time{}
			if p.st.DebateState == SubStateAwaiting {
				p.st.DebateState = SubStatePending
			}
		}
		if n < th.Response && !p.st.ResponseThresholdReachedAt.IsZero() {
			p.st.ResponseThresholdReachedAt = time.Time{}
		}
		// The moderation threshold counts sponsors, not signatures: it is
		// undone only by PetitionSponsorWithdrawn, as in domain.Petition.
	}
	p.st.ResponseState = responseState(p.st)
}

func responseState(s PetitionState) string {
	switch {
	case !s.GovernmentResponseAt.IsZero():
		return SubStateResponded
	case !s.ResponseThresholdReachedAt.IsZero():
		return SubStateAwaiting
	}
	return SubStatePending
}

// applyPetitionEvent folds one lifecycle event into p. It reports whether
// the event changed the petition.
func (p *petition) applyPetitionEvent(e domain.Event) bool {
	at := e.OccurredAt().UTC()
	s := &p.st
	switch e := e.(type) {
	case domain.PetitionCreated:
		s.Action, s.Background, s.AdditionalDetails = e.Action, e.Background, e.AdditionalDetails
		s.State = string(domain.StatePending)
		s.CreatedAt = at
	case domain.PetitionCreatorConfirmed:
		s.State = string(domain.StateValidated)
	case domain.PetitionSponsorSupported:
		// As domain.Petition.apply: the threshold is stamped when the
		// petition becomes sponsored.
		s.SponsorCount = e.SponsorCount
		if string(e.To) != s.State && e.To == domain.StateSponsored {
			s.ModerationThresholdReachedAt = at
		}
		s.State = string(e.To)
	case domain.PetitionSponsorWithdrawn:
		// As domain.Petition.apply: leaving sponsored undoes the stamp.
		s.SponsorCount = e.SponsorCount
		if e.From == domain.StateSponsored && e.To != domain.StateSponsored {
			s.ModerationThresholdReachedAt = time.Time{}
		}
		s.State = string(e.To)
	case domain.PetitionPublished:
		s.State = string(domain.StateOpen)
		s.OpenedAt = at
		s.ClosingDate = e.Deadline
		s.ClosesAt = e.ClosesAt.UTC()
	case domain.PetitionRejected:
		s.State = string(domain.StateRejected)
		s.RejectedAt = at
		s.Hidden = e.Hidden
		s.Rejection = &Rejection{Code: e.Code, Details: e.Details}
	case domain.PetitionHidden:
		s.State = string(domain.StateHidden)
		s.Hidden = true
	case domain.PetitionFlagged:
		s.State = string(domain.StateFlagged)
		if e.Dormant {
			s.State = string(domain.StateDormant)
		}
	case domain.PetitionStopped:
		s.State = string(domain.StateStopped)
	case domain.PetitionClosed:
		s.State = string(domain.StateClosed)
		s.ClosedAt = at
		p.closedAt = unixNanos(at)
	case domain.GovernmentResponded:
		created := at
		if s.GovernmentResponse != nil {
			created = s.GovernmentResponse.CreatedAt
		}
		s.GovernmentResponse = &GovernmentResponse{RespondedOn: e.RespondedOn, Summary: e.Summary, Details: e.Details, CreatedAt: created, UpdatedAt: at}
		s.GovernmentResponseAt = at
		s.Departments = addDepartment(s.Departments, e.Department)
	case domain.DebateScheduled:
		s.ScheduledDebateDate = e.DebateDate
		s.DebateScheduledOn = at.Format(domain.DateLayout)
		s.DebateState = SubStateScheduled
	case domain.DebateOutcomeRecorded:
		s.Debate = &Debate{Debated: e.Debated, DebatedOn: e.DebatedOn, TranscriptURL: e.TranscriptURL, VideoURL: e.VideoURL,
			DebatePackURL: e.DebatePackURL, PublicEngagementURL: e.PublicEngagementURL, DebateSummaryURL: e.DebateSummaryURL, Overview: e.Overview}
		s.DebateOutcomeAt = at
		s.DebateState = SubStateNotDebated
		if e.Debated {
			s.DebateState = SubStateDebated
		}
	case domain.OtherBusinessAdded:
		ob := OtherBusiness{Subject: e.Subject, Body: e.Body, OccurredOn: e.OccurredOn, CreatedAt: at, UpdatedAt: at}
		s.OtherBusiness = append(append([]OtherBusiness(nil), s.OtherBusiness...), ob)
	default:
		return false
	}
	s.UpdatedAt = at
	s.ResponseState = responseState(*s)
	return true
}

// addDepartment returns a new slice with d added unless already listed.
func addDepartment(ds []Department, d domain.Department) []Department {
	if d.Acronym == "" && d.Name == "" {
		return ds
	}
	nd := Department{Acronym: d.Acronym, Name: d.Name, URL: d.URL}
	for _, x := range ds {
		if x == nd {
			return ds
		}
	}
	return append(append([]Department(nil), ds...), nd)
}

// timeOf maps Unix nanoseconds to a UTC time; 0 is the zero time.
func timeOf(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// published returns an immutable copy of the petition's state for readers.
func (p *petition) published() *PetitionState {
	s := p.st
	s.counts = p.c.clone()
	return &s
}
