package domain

import (
	"time"

	"github.com/google/uuid"
)

// Signature events, stream "signer-{petitionID}-{signerKey}". No event holds
// a plaintext email, IP address or name: only keyed hashes (see Hasher) and
// the sealed personal data.

// SignatureSigned records a new signature, normally pending (From "" To
// "pending"). The hashes let an invalidation match by name, postcode, IP,
// network prefix or email domain without plaintext.
type SignatureSigned struct {
	SignatureID     uuid.UUID      `json:"signature_id"`
	PetitionID      int64          `json:"petition_id"`
	SignerKey       string         `json:"signer_key"`
	Kind            SignatureKind  `json:"kind"`
	Location        Location       `json:"location"`
	From            SignatureState `json:"from"`
	To              SignatureState `json:"to"`
	NameHash        string         `json:"name_hash"`
	PostcodeHash    string         `json:"postcode_hash"`
	IPHash          string         `json:"ip_hash"`
	IPPrefixHashes  []PrefixHash   `json:"ip_prefix_hashes"`
	EmailDomainHash string         `json:"email_domain_hash"`
	Sealed          Sealed         `json:"sealed"`
	NotifyByEmail   bool           `json:"notify_by_email"`
	At              time.Time      `json:"at"`
}

// SignatureValidated records that the signer followed the confirmation link:
// pending → validated. SignedAt is repeated so a projection can apply the
// counting rule without remembering the signature.
type SignatureValidated struct {
	SignatureID uuid.UUID      `json:"signature_id"`
	PetitionID  int64          `json:"petition_id"`
	SignerKey   string         `json:"signer_key"`
	Kind        SignatureKind  `json:"kind"`
	Location    Location       `json:"location"`
	From        SignatureState `json:"from"`
	To          SignatureState `json:"to"`
	SignedAt    time.Time      `json:"signed_at"`
	At          time.Time      `json:"at"`
}

// SignatureInvalidated records that an invalidation removed the signature
// (from pending or validated). ValidatedAt is zero when it was never
// validated.
type SignatureInvalidated struct {
	SignatureID    uuid.UUID      `json:"signature_id"`
	PetitionID     int64          `json:"petition_id"`
	SignerKey      string         `json:"signer_key"`
	Location       Location       `json:"location"`
	From           SignatureState `json:"from"`
	To             SignatureState `json:"to"`
	InvalidationID uuid.UUID      `json:"invalidation_id"`
	Reason         string         `json:"reason"`
	SignedAt       time.Time      `json:"signed_at"`
	ValidatedAt    time.Time      `json:"validated_at"`
	At             time.Time      `json:"at"`
}

// SignatureMarkedFraudulent records that a signature was judged fraudulent
// (e.g. over the per-IP rate limit). ValidatedAt is zero when it was never
// validated.
type SignatureMarkedFraudulent struct {
	SignatureID uuid.UUID      `json:"signature_id"`
	PetitionID  int64          `json:"petition_id"`
	SignerKey   string         `json:"signer_key"`
	Location    Location       `json:"location"`
	From        SignatureState `json:"from"`
	To          SignatureState `json:"to"`
	Reason      string         `json:"reason"`
	SignedAt    time.Time      `json:"signed_at"`
	ValidatedAt time.Time      `json:"validated_at"`
	At          time.Time      `json:"at"`
}
