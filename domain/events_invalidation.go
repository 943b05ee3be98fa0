package domain

import (
	"time"

	"github.com/google/uuid"
)

// Invalidation events, stream "invalidation-{uuid}".

// InvalidationCriteria select the signatures an invalidation removes. Every
// set field must match (AND). Personal fields are keyed hashes computed with
// the same Hasher as the signatures. At least one criterion besides the
// petition is required.
type InvalidationCriteria struct {
	PetitionID      int64       `json:"petition_id"`
	NameHash        string      `json:"name_hash,omitempty"`
	PostcodeHash    string      `json:"postcode_hash,omitempty"`
	IPHash          string      `json:"ip_hash,omitempty"`
	IPPrefix        *PrefixHash `json:"ip_prefix,omitempty"`
	SignerKey       string      `json:"signer_key,omitempty"`
	EmailDomainHash string      `json:"email_domain_hash,omitempty"`
	Constituency    string      `json:"constituency,omitempty"`
	Country         string      `json:"country,omitempty"`
	CreatedAfter    *time.Time  `json:"created_after,omitempty"`
	CreatedBefore   *time.Time  `json:"created_before,omitempty"`
}

// InvalidationRequested records an invalidation and its criteria.
type InvalidationRequested struct {
	InvalidationID uuid.UUID            `json:"invalidation_id"`
	Criteria       InvalidationCriteria `json:"criteria"`
	Reason         string               `json:"reason"`
	At             time.Time            `json:"at"`
}

// InvalidationCompleted records the outcome: how many signatures matched and
// how many were invalidated (matched signatures already invalidated are not
// invalidated again).
type InvalidationCompleted struct {
	InvalidationID   uuid.UUID `json:"invalidation_id"`
	MatchingCount    int       `json:"matching_count"`
	InvalidatedCount int       `json:"invalidated_count"`
	At               time.Time `json:"at"`
}
