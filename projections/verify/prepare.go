package verify

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// opKind says what a prepared event does to the recount.
type opKind uint8

const (
	opNone      opKind = iota // a type the recount does not read
	opSigned                  // SignatureSigned
	opValidated               // SignatureValidated
	opSettled                 // SignatureInvalidated or SignatureMarkedFraudulent
	opPublished               // PetitionPublished
	opClosed                  // PetitionClosed (signedAt holds the close time)
)

// foldOp is one event read for the recount: what recount.fold applies.
// Preparing is independent per event, so pages are prepared in parallel;
// folding is in log order. loc and to may point into the event's data.
type foldOp struct {
	kind                  opKind
	petition              int64
	signature             uuid.UUID
	loc                   domain.Location
	to                    domain.SignatureState
	signedAt, validatedAt instant
}

// prepareEvent reads ev (leaf index leaf) into op. Events of types the
// domain does not know (system and metadata events) are skipped; a known
// type that fails to decode is an error naming the event. The four
// signature types, which are nearly every event, are read with sigFields
// (only what counting needs, by the JSON names the domain's golden files
// pin), and the domain's own decoder is run on a sample of them (see
// checkWithDomain); petition events go through domain.DecodeEventWithID.
func prepareEvent(ev *eventstore.RecordedEvent, leaf int64, op *foldOp) error {
	*op = foldOp{}
	switch ev.Type {
	case typeSigned, typeValidated, typeInvalidated, typeFraudulent:
		return prepareSignature(ev, leaf, op)
	case typePublished, typeClosed:
	default:
		return nil
	}
	e, err := domain.DecodeEventWithID(ev.Type, ev.ID.String(), ev.Data)
	if err != nil {
		return fmt.Errorf("event %s (%s/%d): %w", ev.ID, ev.Stream, ev.Revision, err)
	}
	switch e := e.(type) {
	case domain.PetitionPublished:
		op.kind, op.petition = opPublished, e.PetitionID
	case domain.PetitionClosed:
		op.kind, op.petition, op.signedAt = opClosed, e.PetitionID, instantOf(e.At.UTC())
	}
	return nil
}

// sigFields is what counting needs from any signature event.
type sigFields struct {
	SignatureID uuid.UUID             `json:"signature_id"`
	PetitionID  int64                 `json:"petition_id"`
	Location    domain.Location       `json:"location"`
	To          domain.SignatureState `json:"to"`
	At          time.Time             `json:"at"`
	SignedAt    time.Time             `json:"signed_at"`
	ValidatedAt time.Time             `json:"validated_at"`
}

func prepareSignature(ev *eventstore.RecordedEvent, leaf int64, op *foldOp) error {
	var f sigFields
	if !decodeSigFields(ev.Data, &f) {
		f = sigFields{}
		if err := json.Unmarshal(ev.Data, &f); err != nil {
			return fmt.Errorf("event %s (%s/%d, %s): %w", ev.ID, ev.Stream, ev.Revision, ev.Type, err)
		}
	}
	if f.PetitionID <= 0 || f.SignatureID == uuid.Nil || f.To == "" {
		return fmt.Errorf("event %s (%s/%d, %s): missing petition_id, signature_id or to", ev.ID, ev.Stream, ev.Revision, ev.Type)
	}
	if leaf%checkEvery == 0 {
		if err := checkWithDomain(ev, f); err != nil {
			return err
		}
	}
	op.petition, op.signature, op.loc, op.to = f.PetitionID, f.SignatureID, f.Location, f.To
	switch ev.Type {
	case typeSigned:
		op.kind, op.signedAt = opSigned, instantOf(f.At)
	case typeValidated:
		op.kind, op.signedAt, op.validatedAt = opValidated, instantOf(f.SignedAt), instantOf(f.At)
	default:
		op.kind, op.signedAt, op.validatedAt = opSettled, instantOf(f.SignedAt), instantOf(f.ValidatedAt)
	}
	return nil
}

// checkEvery is how often the domain's full decoder re-reads a signature
// event (those at a leaf index that is a multiple of checkEvery), so a
// drift between sigFields and the domain's schema fails loudly: a drift
// touches every event of a type, and 1 in 256 is still ~20,000 events of
// a 10-million-event log (1 in 64 cost ~4 s of CPU there: the domain's
// strict decoder is ~30 µs an event). The sample depends only on the leaf
// index, so pages can be prepared in any order.
const checkEvery = 256

func checkWithDomain(ev *eventstore.RecordedEvent, f sigFields) error {
	e, err := domain.DecodeEventWithID(ev.Type, ev.ID.String(), ev.Data)
	if err != nil {
		return fmt.Errorf("event %s (%s/%d): %w", ev.ID, ev.Stream, ev.Revision, err)
	}
	var id uuid.UUID
	var pid int64
	switch e := e.(type) {
	case domain.SignatureSigned:
		id, pid = e.SignatureID, e.PetitionID
	case domain.SignatureValidated:
		id, pid = e.SignatureID, e.PetitionID
	case domain.SignatureInvalidated:
		id, pid = e.SignatureID, e.PetitionID
	case domain.SignatureMarkedFraudulent:
		id, pid = e.SignatureID, e.PetitionID
	}
	if id != f.SignatureID || pid != f.PetitionID {
		return fmt.Errorf("event %s: the verifier's reading differs from domain.DecodeEventWithID", ev.ID)
	}
	return nil
}
