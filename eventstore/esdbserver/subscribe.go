package esdbserver

import (
	"context"
	"errors"
	"log/slog"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Messages a subscription sends besides events; they never change.
var (
	caughtUpResp = &streams.ReadResp{Content: &streams.ReadResp_CaughtUp_{CaughtUp: &streams.ReadResp_CaughtUp{}}}
)

// subscribeStream runs a catch-up subscription to one stream. Like the real
// server it confirms first, and a tombstoned stream then ends the call with
// stream-deleted.
func (s *Server) subscribeStream(ctx context.Context, call streams.Streams_ReadServer, w *eventWriter, stream string, from eventstore.StreamFrom) error {
	ctx, cancel := s.subscriptionContext(ctx)
	defer cancel()
	sub, err := s.store.SubscribeToStream(ctx, stream, from)
	if err != nil && !errors.Is(err, eventstore.ErrStreamDeleted) {
		return s.storeError(ctx, "subscribe", stream, err)
	}
	if sub != nil {
		defer sub.Close()
	}
	if err := s.confirm(call); err != nil {
		return err
	}
	if err != nil {
		return streamDeletedError(stream)
	}
	return s.pump(ctx, call, w, sub, stream)
}

// subscribeAll runs a catch-up subscription to $all.
func (s *Server) subscribeAll(ctx context.Context, call streams.Streams_ReadServer, w *eventWriter, from eventstore.AllFrom, opts eventstore.SubscribeAllOptions) error {
	ctx, cancel := s.subscriptionContext(ctx)
	defer cancel()
	sub, err := s.store.SubscribeToAll(ctx, from, opts)
	if err != nil {
		return s.storeError(ctx, "subscribe", "$all", err)
	}
	defer sub.Close()
	if err := s.confirm(call); err != nil {
		return err
	}
	return s.pump(ctx, call, w, sub, "$all")
}

// subscriptionContext is ctx, also cancelled when the server stops.
func (s *Server) subscriptionContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.stopping, cancel)
	return ctx, func() { stop(); cancel() }
}

// confirm sends the first message of every subscription.
func (s *Server) confirm(call streams.Streams_ReadServer) error {
	return call.Send(&streams.ReadResp{Content: &streams.ReadResp_Confirmation{
		Confirmation: &streams.ReadResp_SubscriptionConfirmation{SubscriptionId: uuid.NewString()},
	}})
}

// pump forwards a Store subscription's messages until the client leaves,
// the server stops, or the subscription fails.
func (s *Server) pump(ctx context.Context, call streams.Streams_ReadServer, w *eventWriter, sub eventstore.Subscription, stream string) error {
	var checkpoint streams.ReadResp_Checkpoint
	checkpointResp := &streams.ReadResp{Content: &streams.ReadResp_Checkpoint_{Checkpoint: &checkpoint}}
	for {
		msg, err := sub.Next(ctx)
		if err != nil {
			return s.subscriptionEnded(ctx, stream, err)
		}
		var resp any
		switch {
		case msg.Event != nil:
			resp = w.message(msg.Event)
		case msg.CaughtUp:
			resp = caughtUpResp
		case msg.Checkpoint != nil:
			checkpoint.CommitPosition, checkpoint.PreparePosition = msg.Checkpoint.Commit, msg.Checkpoint.Prepare
			resp = checkpointResp
		default:
			continue
		}
		if err := call.SendMsg(resp); err != nil {
			return err
		}
	}
}

// subscriptionEnded turns the error that ended a Store subscription into
// the call's status.
func (s *Server) subscriptionEnded(ctx context.Context, stream string, err error) error {
	if s.stopping.Err() != nil {
		return status.Error(codes.Unavailable, "Server is shutting down")
	}
	if ctx.Err() != nil {
		return status.FromContextError(ctx.Err()).Err()
	}
	if errors.Is(err, eventstore.ErrSubscriptionClosed) {
		s.log.Warn("esdbserver: store ended a subscription", slog.String("stream", stream))
		return status.Error(codes.Unavailable, "subscription ended by the store")
	}
	return s.storeError(ctx, "subscribe", stream, err)
}
