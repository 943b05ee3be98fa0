package esdbserver

import (
	"context"
	"errors"
	"regexp"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Read implements Streams/Read (server streaming): a read of one stream or
// of $all (count_option count), or a catch-up subscription (count_option
// subscription).
func (st *streamsService) Read(req *streams.ReadReq, call streams.Streams_ReadServer) error {
	s := st.srv
	ctx := call.Context()
	opts := req.GetOptions()
	if opts == nil {
		return finish(ctx, invalidArgument("read: options are required"))
	}
	filter, err := filterFromRead(opts)
	if err != nil {
		return finish(ctx, err)
	}
	backwards := opts.GetReadDirection() == streams.ReadReq_Options_Backwards
	w := newEventWriter(opts.GetUuidOption())
	switch so := opts.GetStreamOption().(type) {
	case *streams.ReadReq_Options_Stream:
		if filter != nil {
			return finish(ctx, invalidArgument("read: a stream read cannot be filtered"))
		}
		name := string(so.Stream.GetStreamIdentifier().GetStreamName())
		if name == "" {
			return finish(ctx, invalidArgument("read: stream name is required"))
		}
		switch co := opts.GetCountOption().(type) {
		case *streams.ReadReq_Options_Count:
			return finish(ctx, s.readStream(ctx, call, w, name, streamFrom(so.Stream), backwards, co.Count))
		case *streams.ReadReq_Options_Subscription:
			if backwards {
				return finish(ctx, invalidArgument("read: subscriptions are forwards only"))
			}
			return finish(ctx, s.subscribeStream(ctx, call, w, name, streamFrom(so.Stream)))
		}
	case *streams.ReadReq_Options_All:
		from := allFrom(so.All)
		switch co := opts.GetCountOption().(type) {
		case *streams.ReadReq_Options_Count:
			return finish(ctx, s.readAll(ctx, call, w, from, backwards, co.Count, filter))
		case *streams.ReadReq_Options_Subscription:
			if backwards {
				return finish(ctx, invalidArgument("read: subscriptions are forwards only"))
			}
			interval, err := checkpointInterval(opts.GetFilter())
			if err != nil {
				return finish(ctx, err)
			}
			return finish(ctx, s.subscribeAll(ctx, call, w, from, eventstore.SubscribeAllOptions{Filter: filter, CheckpointInterval: interval}))
		}
	default:
		return finish(ctx, invalidArgument("read: stream or all is required"))
	}
	return finish(ctx, invalidArgument("read: count or subscription is required"))
}

// streamFrom converts a stream read's start. An absent start means Start.
func streamFrom(o *streams.ReadReq_Options_StreamOptions) eventstore.StreamFrom {
	switch v := o.GetRevisionOption().(type) {
	case *streams.ReadReq_Options_StreamOptions_Revision:
		return eventstore.Revision(v.Revision)
	case *streams.ReadReq_Options_StreamOptions_End:
		return eventstore.End{}
	}
	return eventstore.Start{}
}

// allFrom converts a $all read's start. An absent start means Start.
func allFrom(o *streams.ReadReq_Options_AllOptions) eventstore.AllFrom {
	switch v := o.GetAllOption().(type) {
	case *streams.ReadReq_Options_AllOptions_Position:
		return eventstore.Position{Commit: v.Position.GetCommitPosition(), Prepare: v.Position.GetPreparePosition()}
	case *streams.ReadReq_Options_AllOptions_End:
		return eventstore.End{}
	}
	return eventstore.Start{}
}

// filterFromRead converts the filter option; nil means no filter (an absent
// filter_option counts as no_filter).
func filterFromRead(opts *streams.ReadReq_Options) (*eventstore.Filter, error) {
	fo := opts.GetFilter()
	if fo == nil {
		return nil, nil
	}
	var on eventstore.FilterOn
	var expr *streams.ReadReq_Options_FilterOptions_Expression
	switch v := fo.GetFilter().(type) {
	case *streams.ReadReq_Options_FilterOptions_StreamIdentifier:
		on, expr = eventstore.FilterStreamName, v.StreamIdentifier
	case *streams.ReadReq_Options_FilterOptions_EventType:
		on, expr = eventstore.FilterEventType, v.EventType
	default:
		return nil, invalidArgument("read: a filter needs stream_identifier or event_type")
	}
	if expr.GetRegex() != "" {
		if _, err := regexp.Compile(expr.GetRegex()); err != nil {
			return nil, invalidArgument("read: filter regex: %v", err)
		}
		return &eventstore.Filter{On: on, Regex: expr.GetRegex()}, nil
	}
	if len(expr.GetPrefix()) == 0 {
		return nil, invalidArgument("read: a filter needs a regex or prefixes")
	}
	return &eventstore.Filter{On: on, Prefixes: expr.GetPrefix()}, nil
}

// defaultSearchWindow is the real server's window when the client sends
// count instead of max (Enumerator.ReadBatchSize).
const defaultSearchWindow = 32

// checkpointInterval is how many events a filtered subscription scans
// between checkpoints: checkpointIntervalMultiplier × search window.
func checkpointInterval(fo *streams.ReadReq_Options_FilterOptions) (uint32, error) {
	if fo == nil {
		return 0, nil
	}
	mult := uint64(fo.GetCheckpointIntervalMultiplier())
	if mult == 0 {
		return 0, invalidArgument("read: checkpointIntervalMultiplier must be positive")
	}
	window := uint64(defaultSearchWindow)
	if m, ok := fo.GetWindow().(*streams.ReadReq_Options_FilterOptions_Max); ok {
		if m.Max == 0 {
			return 0, invalidArgument("read: filter max search window must be positive")
		}
		window = uint64(m.Max)
	}
	return uint32(min(mult*window, uint64(^uint32(0)))), nil
}

// readStream sends up to count events of one stream, paging through the
// Store, or stream_not_found.
func (s *Server) readStream(ctx context.Context, call streams.Streams_ReadServer, w *eventWriter, stream string, from eventstore.StreamFrom, backwards bool, count uint64) error {
	dir := eventstore.Forwards
	if backwards {
		dir = eventstore.Backwards
	}
	sent := uint64(0)
	for {
		page := uint64(s.opts.ReadBatchSize)
		if count > 0 {
			page = min(page, count-sent)
		}
		events, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: dir, From: from, MaxCount: max(page, 1)})
		if errors.Is(err, eventstore.ErrStreamNotFound) && sent == 0 {
			return call.Send(&streams.ReadResp{Content: &streams.ReadResp_StreamNotFound_{StreamNotFound: &streams.ReadResp_StreamNotFound{
				StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(stream)},
			}}})
		}
		if err != nil {
			return s.storeError(ctx, "read stream", stream, err)
		}
		if count == 0 {
			return nil // only the stream's existence was asked about
		}
		for i := range events {
			if err := call.SendMsg(w.message(&events[i])); err != nil {
				return err
			}
		}
		sent += uint64(len(events))
		if uint64(len(events)) < page || sent >= count {
			return nil
		}
		last := events[len(events)-1].Revision
		if backwards {
			if last == 0 {
				return nil
			}
			from = eventstore.Revision(last - 1)
		} else {
			from = eventstore.Revision(last + 1)
		}
	}
}

// readAll sends up to count events of $all that pass filter, paging
// through the Store in big batches.
func (s *Server) readAll(ctx context.Context, call streams.Streams_ReadServer, w *eventWriter, from eventstore.AllFrom, backwards bool, count uint64, filter *eventstore.Filter) error {
	dir := eventstore.Forwards
	if backwards {
		dir = eventstore.Backwards
	}
	sent := uint64(0)
	var last *eventstore.Position
	for sent < count {
		page := min(uint64(s.opts.ReadBatchSize), count-sent)
		if last != nil && !backwards {
			page++ // forwards pages restart at the last event sent
		}
		events, err := s.store.ReadAll(ctx, eventstore.ReadAllOptions{Direction: dir, From: from, MaxCount: page, Filter: filter})
		if err != nil {
			return s.storeError(ctx, "read $all", "$all", err)
		}
		full := uint64(len(events)) == page
		if last != nil && !backwards && len(events) > 0 && events[0].Position.Compare(*last) <= 0 {
			events = events[1:]
		}
		for i := range events {
			if err := call.SendMsg(w.message(&events[i])); err != nil {
				return err
			}
		}
		sent += uint64(len(events))
		if !full || len(events) == 0 {
			return nil
		}
		p := events[len(events)-1].Position
		last, from = &p, p
	}
	return nil
}
