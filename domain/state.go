package domain

// PetitionState is a petition's lifecycle state, named as in the UK
// petitions service.
type PetitionState string

// Petition states. Only open, closed and rejected are publicly visible.
const (
	StateNone      PetitionState = "" // before creation
	StatePending   PetitionState = "pending"
	StateValidated PetitionState = "validated"
	StateSponsored PetitionState = "sponsored"
	StateFlagged   PetitionState = "flagged"
	StateDormant   PetitionState = "dormant"
	StateOpen      PetitionState = "open"
	StateClosed    PetitionState = "closed"
	StateRejected  PetitionState = "rejected"
	StateHidden    PetitionState = "hidden"
	StateStopped   PetitionState = "stopped"
)

// Public reports whether petitions in this state are publicly visible.
func (s PetitionState) Public() bool {
	return s == StateOpen || s == StateClosed || s == StateRejected
}

// SignatureState is a signature's state.
type SignatureState string

// Signature states. SigNone is the "from" state of a new signature.
const (
	SigNone        SignatureState = ""
	SigPending     SignatureState = "pending"
	SigValidated   SignatureState = "validated"
	SigInvalidated SignatureState = "invalidated"
	SigFraudulent  SignatureState = "fraudulent"
)

// SignatureKind says why a signature exists: the petition's creator, a
// sponsor (before publication) or an ordinary signer (while open). All
// three count the same way once validated.
type SignatureKind string

// Signature kinds.
const (
	KindCreator SignatureKind = "creator"
	KindSponsor SignatureKind = "sponsor"
	KindSigner  SignatureKind = "signer"
)

// CloseReason says why a petition closed.
type CloseReason string

// Close reasons.
const (
	CloseAtDeadline CloseReason = "deadline"
	CloseEarly      CloseReason = "early" // e.g. dissolution of Parliament
)
