package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// loaded is a stream read and decoded.
type loaded struct {
	stream   string
	events   []domain.Event
	recorded []eventstore.RecordedEvent
	expected eventstore.ExpectedRevision // what an append after this read expects
}

// find returns the recorded event with this ID.
func (l loaded) find(id uuid.UUID) (eventstore.RecordedEvent, bool) {
	for _, r := range l.recorded {
		if r.ID == id {
			return r, true
		}
	}
	return eventstore.RecordedEvent{}, false
}

// load reads a whole stream. A missing stream is empty, expecting NoStream.
func (s *Service) load(ctx context.Context, stream string) (loaded, error) {
	recs, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return loaded{stream: stream, expected: eventstore.NoStream{}}, nil
	}
	if err != nil {
		return loaded{}, fmt.Errorf("ledger: read %s: %w", stream, err)
	}
	l := loaded{stream: stream, recorded: recs, events: make([]domain.Event, 0, len(recs))}
	for _, r := range recs {
		e, err := domain.DecodeEventWithID(r.Type, r.ID.String(), r.Data)
		if err != nil {
			return loaded{}, fmt.Errorf("ledger: stream %s revision %d: %w", stream, r.Revision, err)
		}
		l.events = append(l.events, e)
	}
	l.expected = eventstore.StreamExists{}
	if len(recs) > 0 {
		l.expected = eventstore.Exact(recs[len(recs)-1].Revision)
	}
	return l, nil
}

// appendEvents encodes and appends events with their IDs.
func (s *Service) appendEvents(ctx context.Context, stream string, expected eventstore.ExpectedRevision,
	ids []uuid.UUID, events []domain.Event) (eventstore.AppendResult, error) {
	data := make([]eventstore.EventData, len(events))
	for i, e := range events {
		body, err := domain.EncodeEvent(e)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("ledger: encode for %s: %w", stream, err)
		}
		data[i] = eventstore.EventData{ID: ids[i], Type: e.EventType(), ContentType: eventstore.ContentTypeJSON, Data: body}
	}
	res, err := s.store.Append(ctx, stream, expected, data...)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("ledger: append to %s: %w", stream, err)
	}
	return res, nil
}

// errBusy is returned when retries on a wrong expected revision run out.
func errBusy(stream string) error {
	return domain.Errorf(domain.ECONFLICT, "", "Too many people are writing to %s at once; please try again.", stream)
}

// decision is what a command decides from a loaded stream: the events (with
// their IDs) to append, or a receipt when nothing needs writing.
type decision struct {
	ids    []uuid.UUID
	events []domain.Event
	done   *Receipt // set: nothing to write, return this
}

// run is the load → decide → append loop with bounded retries on a wrong
// expected revision. decide must be pure: it may run several times.
func (s *Service) run(ctx context.Context, stream string, decide func(l loaded) (decision, error)) (Receipt, error) {
	for attempt := 0; attempt < s.opts.MaxRetries; attempt++ {
		if err := ctx.Err(); err != nil {
			return Receipt{}, err
		}
		l, err := s.load(ctx, stream)
		if err != nil {
			return Receipt{}, err
		}
		d, err := decide(l)
		if err != nil {
			return Receipt{}, err
		}
		if d.done != nil {
			d.done.Stream = stream
			return *d.done, nil
		}
		res, err := s.appendEvents(ctx, stream, l.expected, d.ids, d.events)
		if errors.Is(err, eventstore.ErrWrongExpectedRev) {
			s.log.DebugContext(ctx, "retrying after a concurrent write", "stream", stream, "attempt", attempt+1)
			continue
		}
		if err != nil {
			return Receipt{}, err
		}
		return Receipt{Stream: stream, EventID: d.ids[0], Position: res.Position}, nil
	}
	return Receipt{}, errBusy(stream)
}

// receiptFor reports an event that is already in the stream.
func receiptFor(r eventstore.RecordedEvent) *Receipt {
	return &Receipt{EventID: r.ID, Position: r.Position, AlreadyDone: true}
}
