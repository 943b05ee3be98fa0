package domain

import (
	"time"

	"github.com/google/uuid"
)

// Petition lifecycle events, stream "petition-{id}". Dates (responded_on,
// debate dates, occurred_on, deadline) are "YYYY-MM-DD" strings; instants
// are UTC RFC 3339 with nanoseconds.

// PetitionCreated opens a petition's stream in state pending. The creator is
// identified by CreatorKey (the keyed hash of the canonical email, the same
// key as the creator's signer stream); the creator's name and email are only
// in CreatorSealed. The creator's signature is CreatorSignatureID in that
// signer stream.
type PetitionCreated struct {
	PetitionID         int64     `json:"petition_id"`
	Action             string    `json:"action"`
	Background         string    `json:"background"`
	AdditionalDetails  string    `json:"additional_details"`
	CreatorKey         string    `json:"creator_key"`
	CreatorSignatureID uuid.UUID `json:"creator_signature_id"`
	CreatorSealed      Sealed    `json:"creator_sealed"`
	At                 time.Time `json:"at"`
}

// PetitionCreatorConfirmed records that the creator followed the email link:
// pending → validated.
type PetitionCreatorConfirmed struct {
	PetitionID int64     `json:"petition_id"`
	At         time.Time `json:"at"`
}

// PetitionSponsorSupported records one validated sponsor signature.
// SponsorCount is the number of sponsors after this one; From/To give the
// petition state change (validated → sponsored when the moderation threshold
// is reached, otherwise unchanged).
type PetitionSponsorSupported struct {
	PetitionID   int64         `json:"petition_id"`
	SponsorKey   string        `json:"sponsor_key"`
	SignatureID  uuid.UUID     `json:"signature_id"`
	SponsorCount int           `json:"sponsor_count"`
	From         PetitionState `json:"from"`
	To           PetitionState `json:"to"`
	At           time.Time     `json:"at"`
}

// PetitionSponsorWithdrawn records that an invalidation removed a sponsor's
// signature before moderation. It has the fields (and JSON) of
// PetitionSponsorSupported: SponsorCount is the number of sponsors left;
// From/To give the petition state change (sponsored → validated when the
// count falls below the moderation threshold: the moderation threshold
// timestamp is undone).
type PetitionSponsorWithdrawn PetitionSponsorSupported

// PetitionPublished is the moderation outcome "published": sponsored (or
// flagged) → open. Deadline is the last day (Europe/London) on which it can
// be signed; ClosesAt is the instant it closes, the end of that day, in UTC.
type PetitionPublished struct {
	PetitionID int64         `json:"petition_id"`
	From       PetitionState `json:"from"`
	Deadline   string        `json:"deadline"`
	ClosesAt   time.Time     `json:"closes_at"`
	At         time.Time     `json:"at"`
}

// PetitionRejected is the moderation outcome "rejected" with a rejection code
// and details. Hidden is true for codes that hide the petition.
type PetitionRejected struct {
	PetitionID int64         `json:"petition_id"`
	From       PetitionState `json:"from"`
	Code       string        `json:"code"`
	Details    string        `json:"details"`
	Hidden     bool          `json:"hidden"`
	At         time.Time     `json:"at"`
}

// PetitionHidden is the moderation outcome "hidden".
type PetitionHidden struct {
	PetitionID int64         `json:"petition_id"`
	From       PetitionState `json:"from"`
	Reason     string        `json:"reason"`
	At         time.Time     `json:"at"`
}

// PetitionFlagged is the moderation outcome "flagged" (needs a second look)
// or, with Dormant set, "dormant".
type PetitionFlagged struct {
	PetitionID int64         `json:"petition_id"`
	From       PetitionState `json:"from"`
	Dormant    bool          `json:"dormant"`
	At         time.Time     `json:"at"`
}

// PetitionStopped records that an unpublished petition was stopped (e.g. at
// the dissolution of Parliament).
type PetitionStopped struct {
	PetitionID int64         `json:"petition_id"`
	From       PetitionState `json:"from"`
	At         time.Time     `json:"at"`
}

// PetitionClosed closes an open petition: at its deadline (At = ClosesAt of
// the publication, whenever the event was written) or early (At = when).
// Its event ID is deterministic (ClosedEventID) so racing nodes write it once.
type PetitionClosed struct {
	PetitionID int64       `json:"petition_id"`
	Reason     CloseReason `json:"reason"`
	At         time.Time   `json:"at"`
}

// GovernmentResponded records the government's response.
type GovernmentResponded struct {
	PetitionID  int64      `json:"petition_id"`
	Summary     string     `json:"summary"`
	Details     string     `json:"details"`
	RespondedOn string     `json:"responded_on"`
	Department  Department `json:"department"`
	At          time.Time  `json:"at"`
}

// DebateScheduled records the date of a debate in Parliament.
type DebateScheduled struct {
	PetitionID int64     `json:"petition_id"`
	DebateDate string    `json:"debate_date"`
	At         time.Time `json:"at"`
}

// DebateOutcomeRecorded records whether the petition was debated, when, and
// where to read and watch it. URLs are https on the allowed domains.
type DebateOutcomeRecorded struct {
	PetitionID          int64     `json:"petition_id"`
	Debated             bool      `json:"debated"`
	DebatedOn           string    `json:"debated_on"`
	TranscriptURL       string    `json:"transcript_url"`
	VideoURL            string    `json:"video_url"`
	DebatePackURL       string    `json:"debate_pack_url"`
	PublicEngagementURL string    `json:"public_engagement_url"`
	DebateSummaryURL    string    `json:"debate_summary_url"`
	Overview            string    `json:"overview"`
	At                  time.Time `json:"at"`
}

// OtherBusinessAdded records other parliamentary business about the petition
// (e.g. a Westminster Hall debate on a related subject).
type OtherBusinessAdded struct {
	PetitionID int64     `json:"petition_id"`
	Subject    string    `json:"subject"`
	Body       string    `json:"body"`
	OccurredOn string    `json:"occurred_on"`
	At         time.Time `json:"at"`
}
