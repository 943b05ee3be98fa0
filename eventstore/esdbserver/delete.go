package esdbserver

import (
	"context"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
)

// streamsService implements the Streams service. BatchAppend is not
// implemented (the embedded Unimplemented server answers it) and is not
// advertised by ServerFeatures, so clients use Append.
type streamsService struct {
	streams.UnimplementedStreamsServer
	srv *Server
}

// Delete implements Streams/Delete: a soft delete.
func (st *streamsService) Delete(ctx context.Context, req *streams.DeleteReq) (*streams.DeleteResp, error) {
	s := st.srv
	name := string(req.GetOptions().GetStreamIdentifier().GetStreamName())
	if name == "" {
		return nil, finish(ctx, invalidArgument("delete: stream name is required"))
	}
	expected, ok := expectedFromDelete(req.GetOptions())
	if !ok {
		return nil, finish(ctx, invalidArgument("delete: expected stream revision is required"))
	}
	res, err := s.store.Delete(ctx, name, expected)
	if err != nil {
		return nil, finish(ctx, s.storeError(ctx, "delete", name, err))
	}
	return &streams.DeleteResp{PositionOption: &streams.DeleteResp_Position_{Position: &streams.DeleteResp_Position{
		CommitPosition: res.Position.Commit, PreparePosition: res.Position.Prepare,
	}}}, nil
}

// Tombstone implements Streams/Tombstone: a hard delete.
func (st *streamsService) Tombstone(ctx context.Context, req *streams.TombstoneReq) (*streams.TombstoneResp, error) {
	s := st.srv
	name := string(req.GetOptions().GetStreamIdentifier().GetStreamName())
	if name == "" {
		return nil, finish(ctx, invalidArgument("tombstone: stream name is required"))
	}
	expected, ok := expectedFromTombstone(req.GetOptions())
	if !ok {
		return nil, finish(ctx, invalidArgument("tombstone: expected stream revision is required"))
	}
	res, err := s.store.Tombstone(ctx, name, expected)
	if err != nil {
		return nil, finish(ctx, s.storeError(ctx, "tombstone", name, err))
	}
	return &streams.TombstoneResp{PositionOption: &streams.TombstoneResp_Position_{Position: &streams.TombstoneResp_Position{
		CommitPosition: res.Position.Commit, PreparePosition: res.Position.Prepare,
	}}}, nil
}
