package domain_test

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// Fixed values for sample events: the golden files pin their encodings.
var (
	sampleAt     = time.Date(2021, 9, 21, 10, 15, 0, 123000000, time.UTC)
	sampleSigID  = uuid.MustParse("6f1c1f0e-8a3b-4c4e-9b1a-1d2e3f405162")
	sampleInvID  = uuid.MustParse("0b7e3c55-2d4f-4a61-8e0f-9c8d7b6a5f41")
	sampleKey    = strings.Repeat("ab", 32)
	sampleKey2   = strings.Repeat("cd", 32)
	sampleSealed = domain.Sealed{KeyID: "k2021", Nonce: []byte("nonce-12byte"), Ciphertext: []byte("ciphertext+tag")}
	sampleLoc    = domain.Location{Constituency: "E14000639", Country: "GB", Region: "E12000007"}
)

// sampleEvents returns one valid event of every registered type.
func sampleEvents() []domain.Event {
	after := sampleAt.Add(-time.Hour)
	return []domain.Event{
		domain.PetitionCreated{PetitionID: 601932, Action: "Hold a public inquiry into Russian interference in UK politics",
			Background: "Background text.", AdditionalDetails: "More details.", CreatorKey: sampleKey,
			CreatorSignatureID: sampleSigID, CreatorSealed: sampleSealed, At: sampleAt},
		domain.PetitionCreatorConfirmed{PetitionID: 601932, At: sampleAt},
		domain.PetitionSponsorSupported{PetitionID: 601932, SponsorKey: sampleKey2, SignatureID: sampleSigID,
			SponsorCount: 5, From: domain.StateValidated, To: domain.StateSponsored, At: sampleAt},
		domain.PetitionSponsorWithdrawn{PetitionID: 601932, SponsorKey: sampleKey2, SignatureID: sampleSigID,
			SponsorCount: 4, From: domain.StateSponsored, To: domain.StateValidated, At: sampleAt},
		domain.PetitionPublished{PetitionID: 601932, From: domain.StateSponsored, Deadline: "2022-03-21",
			ClosesAt: time.Date(2022, 3, 22, 0, 0, 0, 0, time.UTC), At: sampleAt},
		domain.PetitionRejected{PetitionID: 601932, From: domain.StateSponsored, Code: "duplicate",
			Details: "There is already a petition about this.", At: sampleAt},
		domain.PetitionHidden{PetitionID: 601932, From: domain.StateSponsored, Reason: "offensive", At: sampleAt},
		domain.PetitionFlagged{PetitionID: 601932, From: domain.StateSponsored, At: sampleAt},
		domain.PetitionStopped{PetitionID: 601932, From: domain.StateSponsored, At: sampleAt},
		domain.PetitionClosed{PetitionID: 601932, Reason: domain.CloseAtDeadline, At: sampleAt},
		domain.GovernmentResponded{PetitionID: 601932, Summary: "The Government has responded.", Details: "Details.",
			RespondedOn: "2022-03-21", Department: domain.Department{Acronym: "CO", Name: "Cabinet Office",
				URL: "https://www.gov.uk/government/organisations/cabinet-office"}, At: sampleAt},
		domain.DebateScheduled{PetitionID: 601932, DebateDate: "2022-05-25", At: sampleAt},
		domain.DebateOutcomeRecorded{PetitionID: 601932, Debated: true, DebatedOn: "2022-05-25",
			TranscriptURL: "https://hansard.parliament.uk/x", VideoURL: "https://parliamentlive.tv/y",
			DebatePackURL: "https://commonslibrary.parliament.uk/z", Overview: "MPs debated it.", At: sampleAt},
		domain.OtherBusinessAdded{PetitionID: 601932, Subject: "Westminster Hall debate on foreign lobbying",
			Body: "MPs debated foreign lobbying in the UK.", OccurredOn: "2022-05-25", At: sampleAt},
		domain.SignatureSigned{SignatureID: sampleSigID, PetitionID: 601932, SignerKey: sampleKey, Kind: domain.KindSigner,
			Location: sampleLoc, From: domain.SigNone, To: domain.SigPending, NameHash: sampleKey2, PostcodeHash: sampleKey2,
			IPHash: sampleKey2, IPPrefixHashes: []domain.PrefixHash{{Bits: 24, Hash: sampleKey}, {Bits: 16, Hash: sampleKey2}},
			EmailDomainHash: sampleKey, Sealed: sampleSealed, NotifyByEmail: true, At: sampleAt},
		domain.SignatureValidated{SignatureID: sampleSigID, PetitionID: 601932, SignerKey: sampleKey, Kind: domain.KindSigner,
			Location: sampleLoc, From: domain.SigPending, To: domain.SigValidated, SignedAt: after, At: sampleAt},
		domain.SignatureInvalidated{SignatureID: sampleSigID, PetitionID: 601932, SignerKey: sampleKey, Location: sampleLoc,
			From: domain.SigValidated, To: domain.SigInvalidated, InvalidationID: sampleInvID, Reason: "bulk fraud",
			SignedAt: after, ValidatedAt: after, At: sampleAt},
		domain.SignatureMarkedFraudulent{SignatureID: sampleSigID, PetitionID: 601932, SignerKey: sampleKey,
			Location: sampleLoc, From: domain.SigPending, To: domain.SigFraudulent, Reason: "rate_limit_burst",
			SignedAt: after, At: sampleAt},
		domain.InvalidationRequested{InvalidationID: sampleInvID, Criteria: domain.InvalidationCriteria{
			PetitionID: 601932, IPPrefix: &domain.PrefixHash{Bits: 24, Hash: sampleKey}, CreatedAfter: &after},
			Reason: "bulk fraud from one network", At: sampleAt},
		domain.InvalidationCompleted{InvalidationID: sampleInvID, MatchingCount: 12, InvalidatedCount: 10, At: sampleAt},
	}
}
