package main

import (
	"fmt"
	"reflect"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/demo"
)

// petitionRemap moves one demo history to other petition IDs, so that many
// histories (each generated with its own seed) can share one ledger the way
// a long-running service's petitions do. Every petition ID in an event
// (PetitionID, and the criteria of an invalidation), every stream name, the
// event IDs the ledger derives from a petition stream's name (creator
// confirmed, sponsor supported, closed) and every seal (its associated data
// binds the petition ID) follow: the result is what the service would have
// written had the petitions had those IDs.
type petitionRemap struct {
	offset int64 // new ID = old ID + offset
	open   *domain.Keyring
	seal   demo.Sealer
}

// record returns r moved to the new petition IDs.
func (m petitionRemap) record(r demo.Record) (demo.Record, error) {
	if m.offset == 0 {
		return r, nil
	}
	stream, err := m.stream(r.Stream)
	if err != nil {
		return r, err
	}
	e, err := m.event(r.Event)
	if err != nil {
		return r, fmt.Errorf("%s in %s: %w", r.Event.EventType(), r.Stream, err)
	}
	id := m.eventID(r.Stream, stream, r.EventID, r.Event)
	return demo.Record{Stream: stream, Expected: r.Expected, EventID: id, Event: e}, nil
}

func (m petitionRemap) stream(s string) (string, error) {
	if id, ok := domain.ParsePetitionStream(s); ok {
		return domain.PetitionStream(id + m.offset), nil
	}
	if id, key, ok := domain.ParseSignerStream(s); ok {
		return domain.SignerStream(id+m.offset, key), nil
	}
	if len(s) > len(domain.InvalidationStreamPrefix) && s[:len(domain.InvalidationStreamPrefix)] == domain.InvalidationStreamPrefix {
		return s, nil // named by the invalidation's own (per-seed) UUID
	}
	return "", fmt.Errorf("bench verify: demo stream %q of an unknown kind", s)
}

// event sets every petition ID of e and re-seals its personal data.
func (m petitionRemap) event(e domain.Event) (domain.Event, error) {
	v := reflect.New(reflect.TypeOf(e)).Elem()
	v.Set(reflect.ValueOf(e))
	if f := v.FieldByName("PetitionID"); f.IsValid() {
		f.SetInt(f.Int() + m.offset)
	}
	if c := v.FieldByName("Criteria"); c.IsValid() {
		f := c.FieldByName("PetitionID")
		f.SetInt(f.Int() + m.offset)
	}
	out := v.Interface().(domain.Event)
	switch x := out.(type) {
	case domain.SignatureSigned:
		s, err := m.reseal(x.Sealed, x.PetitionID, x.SignatureID)
		x.Sealed = s
		return x, err
	case domain.PetitionCreated:
		s, err := m.reseal(x.CreatorSealed, x.PetitionID, x.CreatorSignatureID)
		x.CreatorSealed = s
		return x, err
	}
	return out, nil
}

// reseal opens s (sealed for the old petition ID) and seals it again for
// the new one.
func (m petitionRemap) reseal(s domain.Sealed, newID int64, sigID uuid.UUID) (domain.Sealed, error) {
	p, err := m.open.OpenPersonal(s, domain.SignatureAAD(newID-m.offset, sigID))
	if err != nil {
		return s, fmt.Errorf("open sealed data of signature %s: %w", sigID, err)
	}
	return m.seal.SealPersonal(p, domain.SignatureAAD(newID, sigID))
}

// eventID re-derives the IDs the ledger computes from a petition stream's
// name; every other ID already depends on the history's seed.
func (m petitionRemap) eventID(oldStream, newStream string, id uuid.UUID, e domain.Event) uuid.UUID {
	switch x := e.(type) {
	case domain.PetitionCreatorConfirmed:
		if id == domain.DeterministicEventID(oldStream, "creator-confirmed") {
			return domain.DeterministicEventID(newStream, "creator-confirmed")
		}
	case domain.PetitionSponsorSupported:
		if id == domain.DeterministicEventID(oldStream, "sponsor", x.SignatureID.String()) {
			return domain.DeterministicEventID(newStream, "sponsor", x.SignatureID.String())
		}
	case domain.PetitionClosed:
		if id == domain.ClosedEventID(x.PetitionID) {
			return domain.ClosedEventID(x.PetitionID + m.offset)
		}
	}
	return id
}
