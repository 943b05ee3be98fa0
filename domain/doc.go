// Package domain holds the rules of the petition ledger: commands in, events
// out, invariants enforced, typed errors (*Error), no I/O. It imports only
// the standard library, uuid and domain/geo. The application service that
// runs these decisions against a store is package ledger.
//
// # Events
//
// Every event is one Go type with a versioned name "{Name}.v{N}" and a JSON
// encoding pinned by testdata/golden/{type}.json. DecodeEvent /
// DecodeEventWithID decode by type name and return the struct value; an
// unknown type or a malformed payload is a *DecodeError naming the type and
// event ID. Every event carries its domain time "at" (UTC).
//
//	petition-{id}                       (id: positive integer, allocated by
//	                                     appending PetitionCreated with NoStream)
//	  PetitionCreated.v1                pending
//	  PetitionCreatorConfirmed.v1       pending → validated
//	  PetitionSponsorSupported.v1       validated → sponsored at 5 sponsors (≤ 20)
//	  PetitionSponsorWithdrawn.v1       an invalidated sponsor: sponsored → validated
//	                                    below 5 (the threshold timestamp is undone)
//	  PetitionPublished.v1              → open, with deadline and closes_at
//	  PetitionRejected.v1               → rejected (code, details; hidden codes)
//	  PetitionHidden.v1                 → hidden
//	  PetitionFlagged.v1                → flagged / dormant
//	  PetitionStopped.v1                unpublished → stopped
//	  PetitionClosed.v1                 open → closed (deadline: ClosedEventID)
//	  GovernmentResponded.v1            summary, details, responded_on, department
//	  DebateScheduled.v1                debate_date
//	  DebateOutcomeRecorded.v1          debated, debated_on, URLs, overview
//	  OtherBusinessAdded.v1             subject, body, occurred_on
//
//	signer-{petitionID}-{signerKey}     (signerKey = HMAC-SHA-256(secret,
//	                                     canonical email), hex; ≤ 2 signatures,
//	                                     appended with an exact expected revision)
//	  SignatureSigned.v1                "" → pending
//	  SignatureValidated.v1             pending → validated
//	  SignatureInvalidated.v1           pending/validated/fraudulent → invalidated
//	  SignatureMarkedFraudulent.v1      pending/validated → fraudulent
//
//	invalidation-{uuid}
//	  InvalidationRequested.v1          criteria (keyed hashes, never plaintext)
//	  InvalidationCompleted.v1          matching_count, invalidated_count
//
// Each signature event carries the petition id, the location (ONS
// constituency, country, region), the from → to states, the signing time and
// (where relevant) the validation time, so a projection counts it without
// remembering individual signatures.
//
// # Counting rule
//
// See Counts: a signature counts iff it is validated (not invalidated, not
// fraudulent), it was signed no later than the petition closed, and it was
// validated no later than close + Config.ValidationGrace (24 h). While the
// petition is open every validated signature counts.
//
// # Rules
//
// Decisions are pure methods that take state, a command and the time and
// return events or an *Error: Rules.CreatePetition, Rules.PrepareSignature,
// Rules.RequestInvalidation; Petition.ConfirmCreator, SupportSponsor,
// Moderate, Stop, Close, RespondAsGovernment, ScheduleDebate,
// RecordDebateOutcome, AddOtherBusiness; Signer.Sign, Validate, Invalidate,
// MarkFraudulent. Every threshold and duration is in Config
// (DefaultConfig: 5 sponsors of at most 20, 6 months ending at the end of
// the day in Europe/London, 24 h validation grace, 2 signatures per
// canonical email, burst 1/60 s and sustained 5/300 s per IP and petition,
// field limits in characters). Places (implemented by *geo.Data) checks
// postcodes and countries. RateLimiter is the pure per-IP limiter; a
// signature over the limit is recorded and marked fraudulent.
//
// A signature's slot (of the two per email) is kept whatever its later
// state: an invalidated or fraudulent signature still uses it.
//
// # Privacy
//
// No event holds a plaintext email, IP address or name; see Hasher, Sealer
// and docs/privacy.md.
package domain
