package esdbserver

import (
	"context"
	"errors"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
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
	success := &streams.AppendResp_Success{}
	if len(req.events) == 0 {
		s.describeUnchanged(ctx, req.stream, res, success)
	} else {
		success.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: res.NextRevision}
		success.PositionOption = &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
			CommitPosition: res.Position.Commit, PreparePosition: res.Position.Prepare,
		}}
	}
	return call.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_Success_{Success: success}})
}

// describeUnchanged fills the answer to an append of no events: the
// stream's current revision (or no_stream) and no position, as nothing was
// written.
func (s *Server) describeUnchanged(ctx context.Context, stream string, res eventstore.AppendResult, success *streams.AppendResp_Success) {
	success.PositionOption = &streams.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}
	last, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: eventstore.End{}, MaxCount: 1})
	switch {
	case errors.Is(err, eventstore.ErrStreamNotFound):
		success.CurrentRevisionOption = &streams.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
	case err == nil && len(last) == 1:
		success.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: last[0].Revision}
	default:
		success.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: res.NextRevision}
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
	req := appendRequest{stream: string(opts.GetStreamIdentifier().GetStreamName())}
	if req.stream == "" {
		return appendRequest{}, invalidArgument("append: stream name is required")
	}
	var ok bool
	if req.expected, ok = expectedFromAppend(opts); !ok {
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
	eventType, contentType := m.eventType, m.contentType
	id, err := parseUUID(m.id)
	if err != nil {
		return eventstore.EventData{}, 0, invalidArgument("append: %v", err)
	}
	n := eventSize(eventType, m.data, m.metadata)
	if n > s.opts.MaxAppendEventSize {
		return eventstore.EventData{}, 0, maxAppendEventSizeError(id.String(), n, s.opts.MaxAppendEventSize)
	}
	if contentType != eventstore.ContentTypeJSON {
		// The real server stores only "is JSON": any other content type
		// reads back as application/octet-stream.
		contentType = eventstore.ContentTypeBinary
	}
	return eventstore.EventData{
		ID: id, Type: eventType, ContentType: contentType,
		Data: m.data, Metadata: m.metadata,
	}, n, nil
}

// drain reads and drops the rest of a client stream.
func drain(call streams.Streams_AppendServer) {
	var msg appendMessage
	for call.RecvMsg(&msg) == nil {
	}
}
