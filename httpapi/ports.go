package httpapi

import (
	"context"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections"
)

// Ledger is the write side the HTTP layer drives. Every method returns only
// once the events it wrote are durable; errors are *domain.Error (mapped to
// problems by code) or wrap eventstore sentinels.
type Ledger interface {
	CreatePetition(ctx context.Context, cmd domain.CreatePetition) (Receipt, error)
	// Sponsor and Sign record a pending signature; eventID (uuid.Nil: a
	// fresh one) makes a retry return the first receipt and write nothing.
	Sponsor(ctx context.Context, petitionID int64, in domain.SignerInput, eventID uuid.UUID) (Receipt, error)
	Sign(ctx context.Context, petitionID int64, in domain.SignerInput, eventID uuid.UUID) (Receipt, error)
	ValidateSignature(ctx context.Context, link SignatureLink) (Receipt, error)
	Moderate(ctx context.Context, petitionID int64, m domain.Moderation) (Receipt, error)
	Close(ctx context.Context, petitionID int64, reason domain.CloseReason) (Receipt, error)
	RespondAsGovernment(ctx context.Context, petitionID int64, r domain.GovernmentResponse) (Receipt, error)
	ScheduleDebate(ctx context.Context, petitionID int64, date string) (Receipt, error)
	RecordDebateOutcome(ctx context.Context, petitionID int64, d domain.DebateOutcome) (Receipt, error)
	AddOtherBusiness(ctx context.Context, petitionID int64, b domain.OtherBusiness) (Receipt, error)
	Invalidate(ctx context.Context, req domain.InvalidationRequest) (InvalidationReceipt, error)
}

// Receipt is what a durable write returns.
type Receipt struct {
	PetitionID  int64
	SignatureID uuid.UUID // sign, sponsor, validate; uuid.Nil otherwise
	EventID     uuid.UUID // the last event written (uuid.Nil when nothing was written)
	Position    eventstore.Position
	AlreadyDone bool // nothing new was written: the fact was already in the log
}

// SignatureLink is the confirmation link mailed to a signer:
// /signatures/{SignatureID}/verify?petition={PetitionID}&signer={SignerKey}&token={Token}.
type SignatureLink struct {
	PetitionID  int64
	SignerKey   string
	SignatureID uuid.UUID
	Token       string
}

// InvalidationReceipt is what an invalidation returns.
type InvalidationReceipt struct {
	InvalidationID   uuid.UUID
	MatchingCount    int
	InvalidatedCount int
	Position         eventstore.Position
}

// Projections is the read side: consistent snapshots of every projection.
// *projections.Runner implements it.
type Projections interface {
	View() *projections.View
	WaitFor(ctx context.Context, pos eventstore.Position) (*projections.View, error)
	OnChange(fn func(projections.Change)) (remove func())
}

var _ Projections = (*projections.Runner)(nil)
