package domain

import (
	"time"

	"github.com/google/uuid"
)

// Event is a domain event. Every event is one Go type with a stable,
// versioned type name ("PetitionCreated.v1") and a JSON encoding pinned by a
// golden file in testdata/golden. Every event carries its domain time At
// (UTC): projections date things by it, never by the store's created time.
type Event interface {
	// EventType is the versioned type name the registry decodes by.
	EventType() string
	// OccurredAt is the domain time of the event (UTC).
	OccurredAt() time.Time
	// check reports a malformed payload (missing ids, bad states, ...).
	check() error
}

// PetitionEvent is an event of a petition's lifecycle stream.
type PetitionEvent interface {
	Event
	Petition() int64
}

// SignatureEvent is an event of a signer stream. Each one carries what a
// projection needs to count it without remembering individual signatures:
// the petition, the location, the state transition and the signing and
// validation times.
type SignatureEvent interface {
	Event
	Petition() int64
	Signature() uuid.UUID
	Where() Location
	Transition() (from, to SignatureState)
}

// Location is where a signature is counted: ONS constituency code (empty
// outside the UK, geo.UnknownConstituency for a well-formed GB postcode not in
// the table), country code (ISO 3166 alpha-2, "GB" for the UK) and ONS
// region code (empty when unknown).
type Location struct {
	Constituency string `json:"constituency"`
	Country      string `json:"country"`
	Region       string `json:"region"`
}

// Department is a government department that responded.
type Department struct {
	Acronym string `json:"acronym"`
	Name    string `json:"name"`
	URL     string `json:"url"`
}

// Sealed is personal data encrypted with AES-256-GCM: the key is named by
// KeyID (keys rotate; shredding a key erases every record sealed with it),
// the associated data binds the ciphertext to one signature or petition
// (see docs/privacy.md).
type Sealed struct {
	KeyID      string `json:"key_id"`
	Nonce      []byte `json:"nonce"`
	Ciphertext []byte `json:"ciphertext"`
}

// IsZero reports whether nothing was sealed.
func (s Sealed) IsZero() bool { return s.KeyID == "" && len(s.Nonce) == 0 && len(s.Ciphertext) == 0 }

// PrefixHash is the keyed hash of an IP network prefix (e.g. the /24 of an
// IPv4 address), so an invalidation by CIDR can match without plaintext.
type PrefixHash struct {
	Bits int    `json:"bits"`
	Hash string `json:"hash"`
}
