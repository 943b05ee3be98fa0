package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// Event type names: "{Name}.v{version}". A name is never reused for a
// different shape: a breaking change gets a new version and both decode.
const (
	TypePetitionCreated           = "PetitionCreated.v1"
	TypePetitionCreatorConfirmed  = "PetitionCreatorConfirmed.v1"
	TypePetitionSponsorSupported  = "PetitionSponsorSupported.v1"
	TypePetitionSponsorWithdrawn  = "PetitionSponsorWithdrawn.v1"
	TypePetitionPublished         = "PetitionPublished.v1"
	TypePetitionRejected          = "PetitionRejected.v1"
	TypePetitionHidden            = "PetitionHidden.v1"
	TypePetitionFlagged           = "PetitionFlagged.v1"
	TypePetitionStopped           = "PetitionStopped.v1"
	TypePetitionClosed            = "PetitionClosed.v1"
	TypeGovernmentResponded       = "GovernmentResponded.v1"
	TypeDebateScheduled           = "DebateScheduled.v1"
	TypeDebateOutcomeRecorded     = "DebateOutcomeRecorded.v1"
	TypeOtherBusinessAdded        = "OtherBusinessAdded.v1"
	TypeSignatureSigned           = "SignatureSigned.v1"
	TypeSignatureValidated        = "SignatureValidated.v1"
	TypeSignatureInvalidated      = "SignatureInvalidated.v1"
	TypeSignatureMarkedFraudulent = "SignatureMarkedFraudulent.v1"
	TypeInvalidationRequested     = "InvalidationRequested.v1"
	TypeInvalidationCompleted     = "InvalidationCompleted.v1"
)

// Sentinel errors of the event codec, wrapped in *DecodeError.
var (
	ErrUnknownEventType = errors.New("domain: unknown event type")
	ErrMalformedEvent   = errors.New("domain: malformed event")
)

// DecodeError reports an event that cannot be decoded. It names the event
// type and, when known, the event ID. It unwraps to ErrUnknownEventType or
// ErrMalformedEvent.
type DecodeError struct {
	Type    string
	EventID string // empty when not given
	Err     error
}

func (e *DecodeError) Error() string {
	if e.EventID != "" {
		return fmt.Sprintf("domain: decode event %q (id %s): %v", e.Type, e.EventID, e.Err)
	}
	return fmt.Sprintf("domain: decode event %q: %v", e.Type, e.Err)
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// registry maps each type name to its decoder.
var registry = map[string]func([]byte) (Event, error){
	TypePetitionCreated:           decodeAs[PetitionCreated],
	TypePetitionCreatorConfirmed:  decodeAs[PetitionCreatorConfirmed],
	TypePetitionSponsorSupported:  decodeAs[PetitionSponsorSupported],
	TypePetitionSponsorWithdrawn:  decodeAs[PetitionSponsorWithdrawn],
	TypePetitionPublished:         decodeAs[PetitionPublished],
	TypePetitionRejected:          decodeAs[PetitionRejected],
	TypePetitionHidden:            decodeAs[PetitionHidden],
	TypePetitionFlagged:           decodeAs[PetitionFlagged],
	TypePetitionStopped:           decodeAs[PetitionStopped],
	TypePetitionClosed:            decodeAs[PetitionClosed],
	TypeGovernmentResponded:       decodeAs[GovernmentResponded],
	TypeDebateScheduled:           decodeAs[DebateScheduled],
	TypeDebateOutcomeRecorded:     decodeAs[DebateOutcomeRecorded],
	TypeOtherBusinessAdded:        decodeAs[OtherBusinessAdded],
	TypeSignatureSigned:           decodeAs[SignatureSigned],
	TypeSignatureValidated:        decodeAs[SignatureValidated],
	TypeSignatureInvalidated:      decodeAs[SignatureInvalidated],
	TypeSignatureMarkedFraudulent: decodeAs[SignatureMarkedFraudulent],
	TypeInvalidationRequested:     decodeAs[InvalidationRequested],
	TypeInvalidationCompleted:     decodeAs[InvalidationCompleted],
}

// EventTypes returns every registered type name, sorted.
func EventTypes() []string {
	out := make([]string, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// IsKnownEventType reports whether typ is a registered domain event type.
func IsKnownEventType(typ string) bool {
	_, ok := registry[typ]
	return ok
}

// EncodeEvent checks e and returns its JSON encoding. It refuses to encode a
// malformed event, so nothing malformed is ever written.
func EncodeEvent(e Event) ([]byte, error) {
	if e == nil {
		return nil, &DecodeError{Type: "", Err: fmt.Errorf("%w: nil event", ErrMalformedEvent)}
	}
	if err := e.check(); err != nil {
		return nil, &DecodeError{Type: e.EventType(), Err: err}
	}
	if s, ok := e.(SignatureSigned); ok {
		if data, ok := appendSignatureSigned(make([]byte, 0, 1024), s); ok {
			return data, nil
		}
	}
	data, err := json.Marshal(e)
	if err != nil {
		return nil, &DecodeError{Type: e.EventType(), Err: fmt.Errorf("%w: %v", ErrMalformedEvent, err)}
	}
	return data, nil
}

// DecodeEvent decodes the payload of an event of type typ. The decoded value
// is the event struct itself (PetitionCreated, not *PetitionCreated), so a
// type switch reads naturally. Unknown types, unknown fields, trailing data
// and payloads that break an event's invariants are rejected.
func DecodeEvent(typ string, data []byte) (Event, error) {
	return DecodeEventWithID(typ, "", data)
}

// DecodeEventWithID is DecodeEvent for a recorded event: errors also name
// its event ID.
func DecodeEventWithID(typ, eventID string, data []byte) (Event, error) {
	decode, ok := registry[typ]
	if !ok {
		return nil, &DecodeError{Type: typ, EventID: eventID, Err: ErrUnknownEventType}
	}
	e, err := decode(data)
	if err != nil {
		return nil, &DecodeError{Type: typ, EventID: eventID, Err: err}
	}
	return e, nil
}

func decodeAs[T Event](data []byte) (Event, error) {
	var v T
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrMalformedEvent)
	}
	if err := v.check(); err != nil {
		return nil, err
	}
	return v, nil
}
