package embedded

import (
	"context"
	"fmt"
	"math"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// maxAppendBytes bounds the encoded size of one append.
const maxAppendBytes = 64 << 20

// Append writes events to stream. See eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	r, err := newAppendRequest(stream, expected, events)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := s.submit(ctx, r); err != nil {
		return eventstore.AppendResult{}, err
	}
	res := r.result
	putRequest(r)
	return res, nil
}

// Delete soft-deletes stream. See eventstore.Store.
func (s *Store) Delete(ctx context.Context, stream string, expected eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	return s.deleteOp(ctx, opDelete, stream, expected)
}

// Tombstone deletes stream for ever. See eventstore.Store.
func (s *Store) Tombstone(ctx context.Context, stream string, expected eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	return s.deleteOp(ctx, opTombstone, stream, expected)
}

func (s *Store) deleteOp(ctx context.Context, op opKind, stream string, expected eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.DeleteResult{}, fmt.Errorf("embedded: delete: %w", err)
	}
	if expected == nil {
		return eventstore.DeleteResult{}, fmt.Errorf("embedded: delete %q: %w: nil expected revision", stream, eventstore.ErrInvalidArgument)
	}
	r := getRequest()
	r.op, r.stream, r.expected, r.size = op, stream, expected, requestSize(r)
	if err := s.submit(ctx, r); err != nil {
		return eventstore.DeleteResult{}, err
	}
	res := eventstore.DeleteResult{Position: r.result.Position}
	putRequest(r)
	return res, nil
}

// newAppendRequest validates an append before it reaches the writer.
func newAppendRequest(stream string, expected eventstore.ExpectedRevision, events []eventstore.EventData) (*request, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, fmt.Errorf("embedded: append: %w", err)
	}
	if expected == nil {
		return nil, fmt.Errorf("embedded: append to %q: %w: nil expected revision", stream, eventstore.ErrInvalidArgument)
	}
	total := 0
	for i, e := range events {
		if err := validateEvent(e); err != nil {
			return nil, fmt.Errorf("embedded: append to %q: event %d: %w", stream, i, err)
		}
		n := frameSize(stream, e.Type, len(e.Data), len(e.Metadata))
		if n > maxRecordSize || len(e.Data) > maxRecordSize || len(e.Metadata) > maxRecordSize {
			return nil, fmt.Errorf("embedded: append to %q: event %d: %w: %d bytes, limit %d", stream, i, eventstore.ErrAppendTooLarge, n, maxRecordSize)
		}
		total += n
	}
	if total > maxAppendBytes {
		return nil, fmt.Errorf("embedded: append to %q: %w: %d bytes, limit %d", stream, eventstore.ErrAppendTooLarge, total, maxAppendBytes)
	}
	r := getRequest()
	r.op, r.stream, r.expected, r.events, r.size = opAppend, stream, expected, events, requestOverhead+total
	r.ctypes = r.ctypesFor(len(events))
	for i := range events {
		r.ctypes[i], _ = contentTypeCode(events[i].ContentType)
	}
	return r, nil
}

func validateEvent(e eventstore.EventData) error {
	switch {
	case e.ID == uuid.Nil:
		return fmt.Errorf("%w: nil event ID", eventstore.ErrInvalidArgument)
	case e.Type == "":
		return fmt.Errorf("%w: empty event type", eventstore.ErrInvalidArgument)
	case len(e.Type) > math.MaxUint16:
		return fmt.Errorf("%w: event type longer than %d bytes", eventstore.ErrInvalidArgument, math.MaxUint16)
	}
	if _, ok := contentTypeCode(e.ContentType); !ok {
		return fmt.Errorf("%w: unknown content type %q", eventstore.ErrInvalidArgument, e.ContentType)
	}
	return nil
}

// submit hands r to the writer and waits for its outcome.
func (s *Store) submit(ctx context.Context, r *request) error {
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return eventstore.ErrClosed
	}
	s.inflight.Add(1)
	s.closeMu.RUnlock()
	if ctx.Done() == nil { // a context that never ends: plain channel operations
		s.reqs <- r
		s.inflight.Done()
		<-r.done
		return s.outcome(r)
	}
	select {
	case s.reqs <- r:
		s.inflight.Done()
	case <-ctx.Done():
		s.inflight.Done()
		err := fmt.Errorf("embedded: %s %q not written: %w", r.op, r.stream, ctx.Err())
		putRequest(r) // the writer never saw it
		return err
	}
	select {
	case <-r.done:
		return s.outcome(r)
	case <-ctx.Done(): // r stays with the writer, never recycled
		return fmt.Errorf("embedded: %s %q: outcome unknown: %w", r.op, r.stream, ctx.Err())
	}
}

// outcome returns r's error, recycling r when there is one (the caller
// recycles r itself after reading the result).
func (s *Store) outcome(r *request) error {
	err := r.err
	if err != nil {
		putRequest(r)
	}
	return err
}

func (o opKind) String() string {
	switch o {
	case opDelete:
		return "delete"
	case opTombstone:
		return "tombstone"
	}
	return "append"
}
