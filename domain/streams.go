package domain

import (
	"crypto/sha1"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Stream name prefixes. Projections subscribe to $all filtered by these.
const (
	PetitionStreamPrefix     = "petition-"
	SignerStreamPrefix       = "signer-"
	InvalidationStreamPrefix = "invalidation-"
)

// PetitionStream is the lifecycle stream of a petition: "petition-{id}".
func PetitionStream(id int64) string { return PetitionStreamPrefix + strconv.FormatInt(id, 10) }

// SignerStream is the stream of one signer key's signatures on one petition:
// "signer-{petitionID}-{signerKey}". It holds at most two signatures.
func SignerStream(petitionID int64, signerKey string) string {
	return fmt.Sprintf("%s%d-%s", SignerStreamPrefix, petitionID, signerKey)
}

// SignerStreamPrefixFor is the prefix of every signer stream of a petition.
func SignerStreamPrefixFor(petitionID int64) string {
	return fmt.Sprintf("%s%d-", SignerStreamPrefix, petitionID)
}

// InvalidationStream is the stream of one invalidation: "invalidation-{uuid}".
func InvalidationStream(id uuid.UUID) string { return InvalidationStreamPrefix + id.String() }

// ParsePetitionStream returns the petition id of a "petition-{id}" stream.
func ParsePetitionStream(stream string) (int64, bool) {
	rest, ok := strings.CutPrefix(stream, PetitionStreamPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != rest {
		return 0, false
	}
	return id, true
}

// ParseSignerStream splits a "signer-{petitionID}-{signerKey}" stream.
func ParseSignerStream(stream string) (petitionID int64, signerKey string, ok bool) {
	rest, ok := strings.CutPrefix(stream, SignerStreamPrefix)
	if !ok {
		return 0, "", false
	}
	idText, key, ok := strings.Cut(rest, "-")
	if !ok || checkKey("signer_key", key) != nil {
		return 0, "", false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != idText {
		return 0, "", false
	}
	return id, key, true
}

// eventIDNamespace scopes deterministic event IDs (UUIDv5).
var eventIDNamespace = uuid.MustParse("5d0c8f0e-3f7a-4b5e-9a51-6b1f2b0c7e10")

// DeterministicEventID derives a stable event ID from a name, so that nodes
// racing to write the same fact (e.g. the close of a petition at its
// deadline) write the same ID and the store's idempotency keeps one copy.
//
// It is uuid.NewSHA1(eventIDNamespace, parts joined by 0x00), computed
// without the intermediate allocations (several per signature).
func DeterministicEventID(parts ...string) uuid.UUID {
	var buf [192]byte
	data := append(buf[:0], eventIDNamespace[:]...)
	for i, p := range parts {
		if i > 0 {
			data = append(data, 0)
		}
		data = append(data, p...)
	}
	sum := sha1.Sum(data)
	var id uuid.UUID
	copy(id[:], sum[:16])
	id[6] = id[6]&0x0f | 0x50 // version 5
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id
}

// ClosedEventID is the event ID of a petition's PetitionClosed event.
func ClosedEventID(petitionID int64) uuid.UUID {
	return DeterministicEventID(PetitionStream(petitionID), "closed")
}
