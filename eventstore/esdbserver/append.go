package esdbserver

import (
	"context"
	"errors"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"

	"github.com/petitionledger/petitionledger/eventstore"
)

// appendRequest is a whole Append call, buffered before the Store sees it.
type appendRequest struct {
	stream   string
	expected eventstore.ExpectedRevision
	events   []eventstore.EventData
}

// Append implements Streams/Append (client streaming): an options message,
// then the proposed events. The whole request is read and checked before
// anything is written, so a bad or oversize request writes nothing.
func (st *streamsService) Append(call streams.Streams_AppendServer) error {
	s := st.srv
	ctx := call.Context()
	req, err := s.receiveAppend(call)
	if err != nil {
		// Read the rest of the request so that the client, which sends
		// every event before it looks at the answer, sees this status
		// rather than a broken stream.
		drain(call)
		return finish(ctx, err)
	}
	return finish(ctx, s.doAppend(ctx, call, req))
}

func (s *Server) doAppend(ctx context.Context, call streams.Streams_AppendServer, req appendRequest) error {
	res, err := s.store.Append(ctx, req.stream, req.expected, req.events...)
	var wrong *eventstore.WrongExpectedRevisionError
	switch {
	case errors.As(err, &wrong):
		return call.SendAndClose(wrongExpectedResponse(req.expected, wrong.Actual))
	case err != nil:
		return s.storeError(ctx, "append", req.stream, err)
	}
	answer := &appendSuccess{}
	if len(req.events) == 0 {
		s.describeUnchanged(ctx, req.stream, res, answer)
	} else {
		answer.revision, answer.position, answer.hasPosition = res.NextRevision, res.Position, true
	}
	return call.SendMsg(answer)
}

// describeUnchanged fills the answer to an append of no events: the
// stream's current revision (or no_stream) and no position, as nothing was
// written.
func (s *Server) describeUnchanged(ctx context.Context, stream string, res eventstore.AppendResult, answer *appendSuccess) {
	last, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: eventstore.End{}, MaxCount: 1})
	switch {
	case errors.Is(err, eventstore.ErrStreamNotFound):
		answer.noStream = true
	case err == nil && len(last) == 1:
		answer.revision = last[0].Revision
	default:
		answer.revision = res.NextRevision
	}
}

// receiveAppend reads and checks a whole Append request.
func (s *Server) receiveAppend(call streams.Streams_AppendServer) (appendRequest, error) {
	var msg appendMessage
	if err := call.RecvMsg(&msg); err != nil {
		if errors.Is(err, io.EOF) {
			return appendRequest{}, invalidArgument("append: the request has no options message")
		}
		return appendRequest{}, err
	}
	opts := msg.options
	if opts == nil {
		return appendRequest{}, invalidArgument("append: the first message must be options")
	}
	req := appendRequest{stream: opts.stream, expected: opts.expected}
	if req.stream == "" {
		return appendRequest{}, invalidArgument("append: stream name is required")
	}
	if req.expected == nil {
		return appendRequest{}, invalidArgument("append: expected stream revision is required")
	}
	size := 0
	for {
		err := call.RecvMsg(&msg)
		if errors.Is(err, io.EOF) {
			return req, nil
		}
		if err != nil {
			return appendRequest{}, err
		}
		ev, n, err := s.proposedEvent(msg.proposed)
		if err != nil {
			return appendRequest{}, err
		}
		size += n
		if size > s.opts.MaxAppendSize {
			return appendRequest{}, maxAppendSizeError(s.opts.MaxAppendSize)
		}
		req.events = append(req.events, ev)
	}
}

// proposedEvent checks and converts one proposed event, and returns its size
// as the server counts it.
func (s *Server) proposedEvent(m *proposedMessage) (eventstore.EventData, int, error) {
	if m == nil {
		return eventstore.EventData{}, 0, invalidArgument("append: every message after the options must be a proposed message")
	}
	if !m.hasType {
		return eventstore.EventData{}, 0, missingMetadataError(metaType)
	}
	if !m.hasContentType {
		return eventstore.EventData{}, 0, missingMetadataError(metaContentType)
	}
	id, err := m.id.parse()
	if err != nil {
		return eventstore.EventData{}, 0, invalidArgument("append: %v", err)
	}
	n := eventSize(m.eventType, m.data, m.metadata)
	if n > s.opts.MaxAppendEventSize {
		return eventstore.EventData{}, 0, maxAppendEventSizeError(id.String(), n, s.opts.MaxAppendEventSize)
	}
	// The real server stores only "is JSON": any other content type reads
	// back as application/octet-stream.
	contentType := eventstore.ContentTypeBinary
	if m.isJSON {
		contentType = eventstore.ContentTypeJSON
	}
	return eventstore.EventData{
		ID: id, Type: m.eventType, ContentType: contentType,
		Data: m.data, Metadata: m.metadata,
	}, n, nil
}

// drain reads and drops the rest of a client stream.
func drain(call streams.Streams_AppendServer) {
	var msg appendMessage
	for call.RecvMsg(&msg) == nil {
	}
}
