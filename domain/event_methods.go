package domain

import (
	"time"

	"github.com/google/uuid"
)

// EventType, OccurredAt and the invariants of each event.

func (PetitionCreated) EventType() string                 { return TypePetitionCreated }
func (PetitionCreatorConfirmed) EventType() string        { return TypePetitionCreatorConfirmed }
func (PetitionSponsorSupported) EventType() string        { return TypePetitionSponsorSupported }
func (PetitionSponsorWithdrawn) EventType() string        { return TypePetitionSponsorWithdrawn }
func (PetitionPublished) EventType() string               { return TypePetitionPublished }
func (PetitionRejected) EventType() string                { return TypePetitionRejected }
func (PetitionHidden) EventType() string                  { return TypePetitionHidden }
func (PetitionFlagged) EventType() string                 { return TypePetitionFlagged }
func (PetitionStopped) EventType() string                 { return TypePetitionStopped }
func (PetitionClosed) EventType() string                  { return TypePetitionClosed }
func (GovernmentResponded) EventType() string             { return TypeGovernmentResponded }
func (DebateScheduled) EventType() string                 { return TypeDebateScheduled }
func (DebateOutcomeRecorded) EventType() string           { return TypeDebateOutcomeRecorded }
func (OtherBusinessAdded) EventType() string              { return TypeOtherBusinessAdded }
func (SignatureSigned) EventType() string                 { return TypeSignatureSigned }
func (SignatureValidated) EventType() string              { return TypeSignatureValidated }
func (SignatureInvalidated) EventType() string            { return TypeSignatureInvalidated }
func (SignatureMarkedFraudulent) EventType() string       { return TypeSignatureMarkedFraudulent }
func (InvalidationRequested) EventType() string           { return TypeInvalidationRequested }
func (InvalidationCompleted) EventType() string           { return TypeInvalidationCompleted }
func (e PetitionCreated) OccurredAt() time.Time           { return e.At }
func (e PetitionCreatorConfirmed) OccurredAt() time.Time  { return e.At }
func (e PetitionSponsorSupported) OccurredAt() time.Time  { return e.At }
func (e PetitionSponsorWithdrawn) OccurredAt() time.Time  { return e.At }
func (e PetitionPublished) OccurredAt() time.Time         { return e.At }
func (e PetitionRejected) OccurredAt() time.Time          { return e.At }
func (e PetitionHidden) OccurredAt() time.Time            { return e.At }
func (e PetitionFlagged) OccurredAt() time.Time           { return e.At }
func (e PetitionStopped) OccurredAt() time.Time           { return e.At }
func (e PetitionClosed) OccurredAt() time.Time            { return e.At }
func (e GovernmentResponded) OccurredAt() time.Time       { return e.At }
func (e DebateScheduled) OccurredAt() time.Time           { return e.At }
func (e DebateOutcomeRecorded) OccurredAt() time.Time     { return e.At }
func (e OtherBusinessAdded) OccurredAt() time.Time        { return e.At }
func (e SignatureSigned) OccurredAt() time.Time           { return e.At }
func (e SignatureValidated) OccurredAt() time.Time        { return e.At }
func (e SignatureInvalidated) OccurredAt() time.Time      { return e.At }
func (e SignatureMarkedFraudulent) OccurredAt() time.Time { return e.At }
func (e InvalidationRequested) OccurredAt() time.Time     { return e.At }
func (e InvalidationCompleted) OccurredAt() time.Time     { return e.At }

// Petition returns the petition the event belongs to.
func (e PetitionCreated) Petition() int64           { return e.PetitionID }
func (e PetitionCreatorConfirmed) Petition() int64  { return e.PetitionID }
func (e PetitionSponsorSupported) Petition() int64  { return e.PetitionID }
func (e PetitionSponsorWithdrawn) Petition() int64  { return e.PetitionID }
func (e PetitionPublished) Petition() int64         { return e.PetitionID }
func (e PetitionRejected) Petition() int64          { return e.PetitionID }
func (e PetitionHidden) Petition() int64            { return e.PetitionID }
func (e PetitionFlagged) Petition() int64           { return e.PetitionID }
func (e PetitionStopped) Petition() int64           { return e.PetitionID }
func (e PetitionClosed) Petition() int64            { return e.PetitionID }
func (e GovernmentResponded) Petition() int64       { return e.PetitionID }
func (e DebateScheduled) Petition() int64           { return e.PetitionID }
func (e DebateOutcomeRecorded) Petition() int64     { return e.PetitionID }
func (e OtherBusinessAdded) Petition() int64        { return e.PetitionID }
func (e SignatureSigned) Petition() int64           { return e.PetitionID }
func (e SignatureValidated) Petition() int64        { return e.PetitionID }
func (e SignatureInvalidated) Petition() int64      { return e.PetitionID }
func (e SignatureMarkedFraudulent) Petition() int64 { return e.PetitionID }

// Signature returns the signature the event is about.
func (e SignatureSigned) Signature() uuid.UUID           { return e.SignatureID }
func (e SignatureValidated) Signature() uuid.UUID        { return e.SignatureID }
func (e SignatureInvalidated) Signature() uuid.UUID      { return e.SignatureID }
func (e SignatureMarkedFraudulent) Signature() uuid.UUID { return e.SignatureID }

// Where returns where the signature is counted.
func (e SignatureSigned) Where() Location           { return e.Location }
func (e SignatureValidated) Where() Location        { return e.Location }
func (e SignatureInvalidated) Where() Location      { return e.Location }
func (e SignatureMarkedFraudulent) Where() Location { return e.Location }

// Transition returns the state the signature leaves and the state it enters.
func (e SignatureSigned) Transition() (SignatureState, SignatureState)    { return e.From, e.To }
func (e SignatureValidated) Transition() (SignatureState, SignatureState) { return e.From, e.To }
func (e SignatureInvalidated) Transition() (SignatureState, SignatureState) {
	return e.From, e.To
}
func (e SignatureMarkedFraudulent) Transition() (SignatureState, SignatureState) {
	return e.From, e.To
}

func (e PetitionCreated) check() error {
	return checks(checkPetitionID(e.PetitionID), checkNonEmpty("action", e.Action),
		checkKey("creator_key", e.CreatorKey), checkUUID("creator_signature_id", e.CreatorSignatureID),
		checkSealed("creator_sealed", e.CreatorSealed), checkAt("at", e.At))
}

func (e PetitionCreatorConfirmed) check() error {
	return checks(checkPetitionID(e.PetitionID), checkAt("at", e.At))
}

func (e PetitionSponsorSupported) check() error {
	var count error
	if e.SponsorCount < 1 {
		count = malformed("sponsor_count", "must be at least 1, got %d", e.SponsorCount)
	}
	return e.checkWith(count)
}

func (e PetitionSponsorWithdrawn) check() error {
	var count error
	if e.SponsorCount < 0 {
		count = malformed("sponsor_count", "negative: %d", e.SponsorCount)
	}
	return PetitionSponsorSupported(e).checkWith(count)
}

// checkWith checks a sponsor change (supported or withdrawn) whose sponsor
// count was checked as count, in the order of its JSON fields.
func (e PetitionSponsorSupported) checkWith(count error) error {
	return checks(checkPetitionID(e.PetitionID), checkKey("sponsor_key", e.SponsorKey),
		checkUUID("signature_id", e.SignatureID), count, checkPetitionState("from", e.From),
		checkPetitionState("to", e.To), checkAt("at", e.At))
}

func (e PetitionPublished) check() error {
	return checks(checkPetitionID(e.PetitionID), checkPetitionState("from", e.From),
		checkDate("deadline", e.Deadline), checkAt("closes_at", e.ClosesAt), checkAt("at", e.At))
}

func (e PetitionRejected) check() error {
	return checks(checkPetitionID(e.PetitionID), checkPetitionState("from", e.From),
		checkNonEmpty("code", e.Code), checkAt("at", e.At))
}

func (e PetitionHidden) check() error  { return checkLeft(e.PetitionID, e.From, e.At) }
func (e PetitionFlagged) check() error { return checkLeft(e.PetitionID, e.From, e.At) }
func (e PetitionStopped) check() error { return checkLeft(e.PetitionID, e.From, e.At) }

// checkLeft checks an event that moves a petition out of state from.
func checkLeft(petitionID int64, from PetitionState, at time.Time) error {
	return checks(checkPetitionID(petitionID), checkPetitionState("from", from), checkAt("at", at))
}

func (e PetitionClosed) check() error {
	var reason error
	if e.Reason != CloseAtDeadline && e.Reason != CloseEarly {
		reason = malformed("reason", "unknown close reason %q", e.Reason)
	}
	return checks(checkPetitionID(e.PetitionID), reason, checkAt("at", e.At))
}

func (e GovernmentResponded) check() error {
	return checks(checkPetitionID(e.PetitionID), checkNonEmpty("summary", e.Summary),
		checkDate("responded_on", e.RespondedOn), checkAt("at", e.At))
}

func (e DebateScheduled) check() error {
	return checks(checkPetitionID(e.PetitionID), checkDate("debate_date", e.DebateDate), checkAt("at", e.At))
}

func (e DebateOutcomeRecorded) check() error {
	return checks(checkPetitionID(e.PetitionID), checkOptionalDate("debated_on", e.DebatedOn), checkAt("at", e.At))
}

func (e OtherBusinessAdded) check() error {
	return checks(checkPetitionID(e.PetitionID), checkNonEmpty("subject", e.Subject),
		checkDate("occurred_on", e.OccurredOn), checkAt("at", e.At))
}

func (e SignatureSigned) check() error {
	return checks(checkSignatureRef(e.SignatureID, e.PetitionID, e.SignerKey), checkKind(e.Kind),
		checkLocation(e.Location), checkTransition(e.From, e.To, []SignatureState{SigNone}, SigPending),
		checkKey("name_hash", e.NameHash), checkOptionalKey("postcode_hash", e.PostcodeHash),
		checkOptionalKey("ip_hash", e.IPHash), checkPrefixes(e.IPPrefixHashes),
		checkKey("email_domain_hash", e.EmailDomainHash), checkSealed("sealed", e.Sealed), checkAt("at", e.At))
}

func (e SignatureValidated) check() error {
	return checks(checkSignatureRef(e.SignatureID, e.PetitionID, e.SignerKey), checkKind(e.Kind),
		checkLocation(e.Location), checkTransition(e.From, e.To, []SignatureState{SigPending}, SigValidated),
		checkAt("signed_at", e.SignedAt), checkAt("at", e.At))
}

func (e SignatureInvalidated) check() error {
	return checks(checkSignatureRef(e.SignatureID, e.PetitionID, e.SignerKey), checkLocation(e.Location),
		checkTransition(e.From, e.To, []SignatureState{SigPending, SigValidated, SigFraudulent}, SigInvalidated),
		checkUUID("invalidation_id", e.InvalidationID), checkRemovalTimes(e.SignedAt, e.ValidatedAt, e.At))
}

func (e SignatureMarkedFraudulent) check() error {
	return checks(checkSignatureRef(e.SignatureID, e.PetitionID, e.SignerKey), checkLocation(e.Location),
		checkTransition(e.From, e.To, []SignatureState{SigPending, SigValidated}, SigFraudulent),
		checkNonEmpty("reason", e.Reason), checkRemovalTimes(e.SignedAt, e.ValidatedAt, e.At))
}

// checkSignatureRef checks the fields that name a signature: its id, its
// petition and its signer stream's key.
func checkSignatureRef(signatureID uuid.UUID, petitionID int64, signerKey string) error {
	return checks(checkUUID("signature_id", signatureID), checkPetitionID(petitionID),
		checkKey("signer_key", signerKey))
}

// checkRemovalTimes checks the times of an event that removes a signature:
// when it was signed, when it was validated (zero if never) and now.
func checkRemovalTimes(signedAt, validatedAt, at time.Time) error {
	return checks(checkAt("signed_at", signedAt), checkOptionalAt("validated_at", validatedAt), checkAt("at", at))
}

func (e InvalidationRequested) check() error {
	return checks(checkUUID("invalidation_id", e.InvalidationID), e.Criteria.check(), checkAt("at", e.At))
}

func (e InvalidationCompleted) check() error {
	var counts error
	if e.MatchingCount < 0 || e.InvalidatedCount < 0 || e.InvalidatedCount > e.MatchingCount {
		counts = malformed("invalidated_count", "want 0 <= invalidated (%d) <= matching (%d)",
			e.InvalidatedCount, e.MatchingCount)
	}
	return checks(checkUUID("invalidation_id", e.InvalidationID), counts, checkAt("at", e.At))
}

// check reports criteria that select nothing specific or hold bad hashes.
func (c InvalidationCriteria) check() error {
	if c.PetitionID < 0 {
		return malformed("criteria.petition_id", "negative")
	}
	if !c.hasCriterion() {
		return malformed("criteria", "at least one criterion besides the petition is required")
	}
	var prefix error
	if c.IPPrefix != nil {
		prefix = checkPrefix(*c.IPPrefix)
	}
	var after, before error
	if c.CreatedAfter != nil {
		after = checkAt("criteria.created_after", *c.CreatedAfter)
	}
	if c.CreatedBefore != nil {
		before = checkAt("criteria.created_before", *c.CreatedBefore)
	}
	return checks(checkOptionalKey("criteria.name_hash", c.NameHash),
		checkOptionalKey("criteria.postcode_hash", c.PostcodeHash), checkOptionalKey("criteria.ip_hash", c.IPHash),
		checkOptionalKey("criteria.signer_key", c.SignerKey),
		checkOptionalKey("criteria.email_domain_hash", c.EmailDomainHash), prefix, after, before)
}

func (c InvalidationCriteria) hasCriterion() bool {
	return c.NameHash != "" || c.PostcodeHash != "" || c.IPHash != "" || c.IPPrefix != nil ||
		c.SignerKey != "" || c.EmailDomainHash != "" || c.Constituency != "" || c.Country != "" ||
		c.CreatedAfter != nil || c.CreatedBefore != nil
}
