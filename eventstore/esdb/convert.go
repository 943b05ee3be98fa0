package esdb

import (
	"fmt"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// toClientExpected maps an expectation to the client's.
func toClientExpected(e eventstore.ExpectedRevision) (client.ExpectedRevision, error) {
	switch v := e.(type) {
	case eventstore.Any:
		return client.Any{}, nil
	case eventstore.NoStream:
		return client.NoStream{}, nil
	case eventstore.StreamExists:
		return client.StreamExists{}, nil
	case eventstore.Exact:
		return client.StreamRevision{Value: uint64(v)}, nil
	case nil:
		return nil, fmt.Errorf("%w: nil expected revision", eventstore.ErrInvalidArgument)
	}
	return nil, fmt.Errorf("%w: unknown expected revision %T", eventstore.ErrInvalidArgument, e)
}

// toClientEvents validates and maps proposed events. The client would
// silently give a nil ID a random one, and sends any content type other
// than JSON as binary, so both are checked here.
func toClientEvents(events []eventstore.EventData) ([]client.EventData, error) {
	out := make([]client.EventData, len(events))
	for i, e := range events {
		if e.ID == uuid.Nil {
			return nil, fmt.Errorf("%w: event %d has a nil ID", eventstore.ErrInvalidArgument, i)
		}
		if e.Type == "" {
			return nil, fmt.Errorf("%w: event %d has an empty type", eventstore.ErrInvalidArgument, i)
		}
		var ct client.ContentType
		switch e.ContentType {
		case "", eventstore.ContentTypeJSON:
			ct = client.ContentTypeJson
		case eventstore.ContentTypeBinary:
			ct = client.ContentTypeBinary
		default:
			return nil, fmt.Errorf("%w: event %d has unknown content type %q", eventstore.ErrInvalidArgument, i, e.ContentType)
		}
		out[i] = client.EventData{EventID: e.ID, EventType: e.Type, ContentType: ct, Data: e.Data, Metadata: e.Metadata}
	}
	return out, nil
}

// fromClientPosition maps a $all position.
func fromClientPosition(p client.Position) eventstore.Position {
	return eventstore.Position{Commit: p.Commit, Prepare: p.Prepare}
}

// toClientPosition maps a $all position.
func toClientPosition(p eventstore.Position) client.Position {
	return client.Position{Commit: p.Commit, Prepare: p.Prepare}
}

// fromClientEvent maps a recorded event. Links are not resolved (the store
// never asks for it), so the original event is the event itself. The
// client already turned the "created" .NET ticks into a UTC time.
func fromClientEvent(r *client.ResolvedEvent) eventstore.RecordedEvent {
	e := r.OriginalEvent()
	return eventstore.RecordedEvent{
		Stream:      e.StreamID,
		Revision:    e.EventNumber,
		Position:    fromClientPosition(e.Position),
		ID:          e.EventID,
		Type:        e.EventType,
		ContentType: e.ContentType,
		Data:        e.Data,
		Metadata:    e.UserMetadata,
		Created:     e.CreatedDate.UTC(),
	}
}

// toClientStreamFrom maps where a stream read starts; nil means Start
// forwards and End backwards.
func toClientStreamFrom(from eventstore.StreamFrom, dir eventstore.Direction) (client.StreamPosition, error) {
	if b, ok := toClientBound(from, dir); ok {
		return b, nil
	}
	if v, ok := from.(eventstore.Revision); ok {
		return client.StreamRevision{Value: uint64(v)}, nil
	}
	return nil, fmt.Errorf("%w: unknown stream position %T", eventstore.ErrInvalidArgument, from)
}

// toClientAllFrom maps where a $all read starts; nil means Start forwards
// and End backwards.
func toClientAllFrom(from eventstore.AllFrom, dir eventstore.Direction) (client.AllPosition, error) {
	if b, ok := toClientBound(from, dir); ok {
		return b, nil
	}
	if v, ok := from.(eventstore.Position); ok {
		return toClientPosition(v), nil
	}
	return nil, fmt.Errorf("%w: unknown $all position %T", eventstore.ErrInvalidArgument, from)
}

// clientBound is client.Start or client.End: a start of both stream and
// $all reads.
type clientBound interface {
	client.StreamPosition
	client.AllPosition
}

// toClientBound maps the starts stream and $all reads share: nil (Start
// forwards, End backwards), Start and End; ok is false for any other.
func toClientBound(from any, dir eventstore.Direction) (b clientBound, ok bool) {
	switch from.(type) {
	case nil:
		if dir == eventstore.Backwards {
			return client.End{}, true
		}
		return client.Start{}, true
	case eventstore.Start:
		return client.Start{}, true
	case eventstore.End:
		return client.End{}, true
	}
	return nil, false
}

// toClientDirection maps a read direction.
func toClientDirection(d eventstore.Direction) client.Direction {
	if d == eventstore.Backwards {
		return client.Backwards
	}
	return client.Forwards
}
