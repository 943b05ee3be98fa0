package domain

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// Decisions on a petition: each takes the current state, a command and the
// time, and returns the events to append or an *Error. None mutates p.

// Moderation outcomes.
const (
	OutcomePublish = "publish"
	OutcomeReject  = "reject"
	OutcomeHide    = "hide"
	OutcomeFlag    = "flag"
	OutcomeDormant = "dormant"
)

// Moderation is a moderator's decision on a sponsored petition.
type Moderation struct {
	Outcome string // OutcomePublish, OutcomeReject, OutcomeHide, OutcomeFlag, OutcomeDormant
	Code    string // rejection code (reject)
	Details string // rejection details (reject)
	Reason  string // why it was hidden (hide)
}

// GovernmentResponse is the government's response to a petition.
type GovernmentResponse struct {
	Summary     string
	Details     string
	RespondedOn string // YYYY-MM-DD
	Department  Department
}

// DebateOutcome is the outcome of a debate (or the decision not to debate).
type DebateOutcome struct {
	Debated             bool
	DebatedOn           string // YYYY-MM-DD, required when Debated
	TranscriptURL       string
	VideoURL            string
	DebatePackURL       string
	PublicEngagementURL string
	DebateSummaryURL    string
	Overview            string
}

// OtherBusiness is other parliamentary business related to a petition.
type OtherBusiness struct {
	Subject    string
	Body       string
	OccurredOn string // YYYY-MM-DD
}

func transitionError(p *Petition, what string) error {
	if p.State == StateNone {
		return Errorf(ECodePetitionNotFound, "", "There is no such petition.")
	}
	return Errorf(ECodeInvalidTransition, "", "A %s petition cannot be %s.", p.State, what)
}

// ConfirmCreator moves a pending petition to validated when its creator
// confirms their email. Confirming again returns no events.
func (p *Petition) ConfirmCreator(now time.Time) ([]Event, error) {
	if p.State == StateNone {
		return nil, transitionError(p, "confirmed")
	}
	if p.State != StatePending {
		return nil, nil
	}
	return []Event{PetitionCreatorConfirmed{PetitionID: p.ID, At: now.UTC()}}, nil
}

// SupportSponsor records a validated sponsor signature. The petition becomes
// sponsored when cfg.SponsorThreshold sponsors support it; at most
// cfg.MaxSponsors may. A sponsor already counted returns no events.
func (p *Petition) SupportSponsor(cfg Config, sponsorKey string, sig SignatureValidated, now time.Time) ([]Event, error) {
	if p.HasSponsor(sponsorKey) {
		return nil, nil
	}
	if p.State != StateValidated && p.State != StateSponsored {
		return nil, transitionError(p, "sponsored")
	}
	if len(p.Sponsors) >= cfg.MaxSponsors {
		return nil, Errorf(ECodeTooManySponsors, "", "This petition already has %d sponsors.", cfg.MaxSponsors)
	}
	to := p.State
	if len(p.Sponsors)+1 >= cfg.SponsorThreshold {
		to = StateSponsored
	}
	return []Event{PetitionSponsorSupported{PetitionID: p.ID, SponsorKey: sponsorKey, SignatureID: sig.SignatureID,
		SponsorCount: len(p.Sponsors) + 1, From: p.State, To: to, At: now.UTC()}}, nil
}

// WithdrawSponsor undoes a sponsor's support when an invalidation removes
// their signature before moderation: the petition goes back from sponsored
// to validated when fewer than cfg.SponsorThreshold sponsors remain. A
// sponsor not counted, or a petition already moderated, returns no events.
func (p *Petition) WithdrawSponsor(cfg Config, sponsorKey string, sigID uuid.UUID, now time.Time) ([]Event, error) {
	if !p.HasSponsor(sponsorKey) || (p.State != StateValidated && p.State != StateSponsored) {
		return nil, nil
	}
	left := len(p.Sponsors) - 1
	to := p.State
	if to == StateSponsored && left < cfg.SponsorThreshold {
		to = StateValidated
	}
	return []Event{PetitionSponsorWithdrawn{PetitionID: p.ID, SponsorKey: sponsorKey, SignatureID: sigID,
		SponsorCount: left, From: p.State, To: to, At: now.UTC()}}, nil
}

// Moderate applies a moderator's decision.
func (p *Petition) Moderate(cfg Config, m Moderation, now time.Time) ([]Event, error) {
	now = now.UTC()
	moderatable := p.State == StateSponsored || p.State == StateFlagged || p.State == StateDormant
	switch m.Outcome {
	case OutcomePublish:
		if !moderatable {
			return nil, transitionError(p, "published")
		}
		deadline, closesAt := Deadline(cfg, now)
		return []Event{PetitionPublished{PetitionID: p.ID, From: p.State, Deadline: deadline, ClosesAt: closesAt, At: now}}, nil
	case OutcomeReject:
		if !moderatable {
			return nil, transitionError(p, "rejected")
		}
		if !slices.Contains(cfg.RejectionCodes, m.Code) {
			return nil, Errorf(ECodeInvalidCode, "code", "Choose a rejection code: %v.", cfg.RejectionCodes)
		}
		if err := checkLength("details", m.Details, cfg.Limits.RejectionDetails); err != nil {
			return nil, err
		}
		return []Event{PetitionRejected{PetitionID: p.ID, From: p.State, Code: m.Code, Details: m.Details,
			Hidden: slices.Contains(cfg.HiddenRejectionCodes, m.Code), At: now}}, nil
	case OutcomeHide:
		if !moderatable && p.State != StateOpen && p.State != StateRejected {
			return nil, transitionError(p, "hidden")
		}
		if err := checkLength("reason", m.Reason, cfg.Limits.Reason); err != nil {
			return nil, err
		}
		return []Event{PetitionHidden{PetitionID: p.ID, From: p.State, Reason: m.Reason, At: now}}, nil
	case OutcomeFlag, OutcomeDormant:
		if !moderatable || (m.Outcome == OutcomeFlag && p.State == StateFlagged) ||
			(m.Outcome == OutcomeDormant && p.State == StateDormant) {
			return nil, transitionError(p, m.Outcome+"ged")
		}
		return []Event{PetitionFlagged{PetitionID: p.ID, From: p.State, Dormant: m.Outcome == OutcomeDormant, At: now}}, nil
	}
	return nil, Errorf(EINVALID, "outcome", "Choose an outcome: publish, reject, hide, flag or dormant.")
}

// Stop stops an unpublished petition (e.g. at the dissolution of Parliament).
func (p *Petition) Stop(now time.Time) ([]Event, error) {
	if !p.beforeModeration() && p.State != StateFlagged && p.State != StateDormant {
		return nil, transitionError(p, "stopped")
	}
	return []Event{PetitionStopped{PetitionID: p.ID, From: p.State, At: now.UTC()}}, nil
}

// Close closes an open petition. At the deadline the event's time is the
// closing instant (whenever the event is written), and it is an error
// (not_due) before then; an early close takes effect now. A closed petition
// returns an already_done error, which a racing closer treats as success.
func (p *Petition) Close(reason CloseReason, now time.Time) ([]Event, error) {
	if p.State == StateClosed {
		return nil, Errorf(ECodeAlreadyDone, "", "The petition is already closed.")
	}
	if p.State != StateOpen {
		return nil, transitionError(p, "closed")
	}
	now = now.UTC()
	switch reason {
	case CloseAtDeadline:
		if now.Before(p.ClosesAt) {
			return nil, Errorf(ECodeNotDue, "", "The petition runs until %s.", p.ClosesAt.Format(time.RFC3339))
		}
		return []Event{PetitionClosed{PetitionID: p.ID, Reason: CloseAtDeadline, At: p.ClosesAt}}, nil
	case CloseEarly:
		if !now.Before(p.ClosesAt) { // the deadline came first
			return []Event{PetitionClosed{PetitionID: p.ID, Reason: CloseAtDeadline, At: p.ClosesAt}}, nil
		}
		return []Event{PetitionClosed{PetitionID: p.ID, Reason: CloseEarly, At: now}}, nil
	}
	return nil, Errorf(EINVALID, "reason", "Choose a close reason: deadline or early.")
}

// Deadline returns the last day a petition published at openedAt can be
// signed (cfg.PetitionMonths later, in cfg.Zone, clamped to the end of a
// shorter month) and the instant it closes: the end of that day, in UTC.
func Deadline(cfg Config, openedAt time.Time) (string, time.Time) {
	local := openedAt.In(cfg.zone())
	y, m, d := local.Date()
	first := time.Date(y, m+time.Month(cfg.PetitionMonths), 1, 0, 0, 0, 0, cfg.zone())
	last := first.AddDate(0, 1, -1).Day()
	day := time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, cfg.zone())
	closes := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, cfg.zone())
	return day.Format(DateLayout), closes.UTC()
}

// publicAfterOpening reports whether parliament business can be recorded.
func (p *Petition) publicAfterOpening() bool { return p.State == StateOpen || p.State == StateClosed }

// RespondAsGovernment records the government's response (a later response
// replaces an earlier one).
func (p *Petition) RespondAsGovernment(cfg Config, r GovernmentResponse, now time.Time) ([]Event, error) {
	if !p.publicAfterOpening() {
		return nil, transitionError(p, "responded to")
	}
	if err := checks(checkText("summary", r.Summary, cfg.Limits.ResponseSummary),
		checkLength("details", r.Details, cfg.Limits.ResponseDetails),
		checkInputDate("responded_on", r.RespondedOn), checkRequired("department", r.Department.Name)); err != nil {
		return nil, err
	}
	return []Event{GovernmentResponded{PetitionID: p.ID, Summary: r.Summary, Details: r.Details,
		RespondedOn: r.RespondedOn, Department: r.Department, At: now.UTC()}}, nil
}

// ScheduleDebate records the date of a debate.
func (p *Petition) ScheduleDebate(date string, now time.Time) ([]Event, error) {
	if !p.publicAfterOpening() {
		return nil, transitionError(p, "scheduled for debate")
	}
	if err := checkInputDate("debate_date", date); err != nil {
		return nil, err
	}
	return []Event{DebateScheduled{PetitionID: p.ID, DebateDate: date, At: now.UTC()}}, nil
}

// RecordDebateOutcome records whether and when the petition was debated.
func (p *Petition) RecordDebateOutcome(cfg Config, d DebateOutcome, now time.Time) ([]Event, error) {
	if !p.publicAfterOpening() {
		return nil, transitionError(p, "given a debate outcome")
	}
	var date error
	if d.Debated || d.DebatedOn != "" {
		date = checkInputDate("debated_on", d.DebatedOn)
	}
	urls := cfg.AllowedURLDomains
	if err := checks(date, CheckURL("transcript_url", d.TranscriptURL, urls), CheckURL("video_url", d.VideoURL, urls),
		CheckURL("debate_pack_url", d.DebatePackURL, urls),
		CheckURL("public_engagement_url", d.PublicEngagementURL, urls),
		CheckURL("debate_summary_url", d.DebateSummaryURL, urls),
		checkLength("overview", d.Overview, cfg.Limits.DebateOverview)); err != nil {
		return nil, err
	}
	return []Event{DebateOutcomeRecorded{PetitionID: p.ID, Debated: d.Debated, DebatedOn: d.DebatedOn,
		TranscriptURL: d.TranscriptURL, VideoURL: d.VideoURL, DebatePackURL: d.DebatePackURL,
		PublicEngagementURL: d.PublicEngagementURL, DebateSummaryURL: d.DebateSummaryURL,
		Overview: d.Overview, At: now.UTC()}}, nil
}

// AddOtherBusiness records other parliamentary business.
func (p *Petition) AddOtherBusiness(cfg Config, b OtherBusiness, now time.Time) ([]Event, error) {
	if !p.publicAfterOpening() {
		return nil, transitionError(p, "given other business")
	}
	if err := checks(checkText("subject", b.Subject, cfg.Limits.BusinessSubject),
		checkLength("body", b.Body, cfg.Limits.BusinessBody), checkInputDate("occurred_on", b.OccurredOn)); err != nil {
		return nil, err
	}
	return []Event{OtherBusinessAdded{PetitionID: p.ID, Subject: b.Subject, Body: b.Body,
		OccurredOn: b.OccurredOn, At: now.UTC()}}, nil
}
