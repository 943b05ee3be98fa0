package esdb

import (
	"context"
	"fmt"
	"log/slog"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Append writes events to stream. See eventstore.Store.
//
// Failures that certainly left the stream untouched (the node was not the
// leader or not ready, or no connection could be made) are retried under the
// RetryPolicy whatever the expectation. Failures after which the events may
// have been written (a dropped connection, a server timeout) are retried only
// when a retry cannot write them twice: with NoStream or Exact, where the
// server compares the proposed event IDs with the events already written
// after the expected revision and returns the original result. With Any or
// StreamExists the server only consults a best-effort cache of recent IDs,
// so such a failure is returned as ErrAppendOutcomeUnknown (with
// eventstore.ErrUnavailable) and not retried.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	info := opInfo{op: "append", stream: stream, expected: expected}
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("esdb: append: %w", err)
	}
	exp, err := toClientExpected(expected)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("esdb: append %q: %w", stream, err)
	}
	proposed, err := toClientEvents(events)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("esdb: append %q: %w", stream, err)
	}
	safe := appendRetrySafe(expected, len(events))
	var res *client.WriteResult
	err = s.retry(ctx, func(f failure) bool {
		return f == failNotApplied || (f == failAmbiguous && safe)
	}, func(c *client.Client) error {
		r, err := c.AppendToStream(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: exp}, proposed...)
		res = r
		return err
	})
	if err != nil {
		mapped := mapError(info, ctx.Err(), err)
		// A call abandoned because ctx ended may still land, like one whose
		// acknowledgement was lost.
		unknown := ctx.Err() != nil || classify(err) == failAmbiguous
		if unknown && !safe {
			s.log.Warn("esdb: append outcome unknown; not retried, a retry could write twice",
				slog.String("stream", stream), slog.String("expected", expected.String()), slog.Int("events", len(events)))
			return eventstore.AppendResult{}, fmt.Errorf("%w (expectation %s is not retried): %w", ErrAppendOutcomeUnknown, expected, mapped)
		}
		return eventstore.AppendResult{}, mapped
	}
	return eventstore.AppendResult{
		NextRevision: res.NextExpectedVersion,
		Position:     eventstore.Position{Commit: res.CommitPosition, Prepare: res.PreparePosition},
	}, nil
}

// appendRetrySafe reports whether an append whose outcome is unknown may be
// sent again without risk of writing its events twice.
func appendRetrySafe(expected eventstore.ExpectedRevision, n int) bool {
	if n == 0 {
		return true // writes nothing either way
	}
	switch expected.(type) {
	case eventstore.NoStream, eventstore.Exact:
		return true
	}
	return false
}
