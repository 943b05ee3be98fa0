package esdb

import (
	"context"
	"errors"
	"fmt"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Delete soft-deletes stream. See eventstore.Store. Every transient failure
// is retried: writing the stream's $tb again is harmless.
func (s *Store) Delete(ctx context.Context, stream string, expected eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	info := opInfo{op: "delete", stream: stream, expected: expected}
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.DeleteResult{}, fmt.Errorf("esdb: delete: %w", err)
	}
	exp, err := toClientExpected(expected)
	if err != nil {
		return eventstore.DeleteResult{}, fmt.Errorf("esdb: delete %q: %w", stream, err)
	}
	var res *client.DeleteResult
	err = s.retry(ctx, transient, func(c *client.Client) error {
		r, err := c.DeleteStream(ctx, stream, client.DeleteStreamOptions{ExpectedRevision: exp})
		res = r
		return err
	})
	if err != nil {
		return eventstore.DeleteResult{}, mapError(info, ctx.Err(), err)
	}
	return eventstore.DeleteResult{Position: fromClientPosition(res.Position)}, nil
}

// Tombstone deletes stream for ever. See eventstore.Store. Transient failures
// are retried. When an earlier attempt may have succeeded and a retry finds
// the stream deleted, the StreamDeletedError is returned wrapped with
// errTombstoneMayHaveSucceeded: the stream is tombstoned either way, but
// the tombstone's position is lost.
func (s *Store) Tombstone(ctx context.Context, stream string, expected eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	info := opInfo{op: "tombstone", stream: stream, expected: expected}
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.DeleteResult{}, fmt.Errorf("esdb: tombstone: %w", err)
	}
	exp, err := toClientExpected(expected)
	if err != nil {
		return eventstore.DeleteResult{}, fmt.Errorf("esdb: tombstone %q: %w", stream, err)
	}
	var res *client.DeleteResult
	ambiguous := false
	err = s.retry(ctx, func(f failure) bool {
		ambiguous = ambiguous || f == failAmbiguous
		return transient(f)
	}, func(c *client.Client) error {
		r, err := c.TombstoneStream(ctx, stream, client.TombstoneStreamOptions{ExpectedRevision: exp})
		res = r
		return err
	})
	if err != nil {
		mapped := mapError(info, ctx.Err(), err)
		if ambiguous && errors.Is(mapped, eventstore.ErrStreamDeleted) {
			return eventstore.DeleteResult{}, fmt.Errorf("%w: %w", errTombstoneMayHaveSucceeded, mapped)
		}
		return eventstore.DeleteResult{}, mapped
	}
	return eventstore.DeleteResult{Position: fromClientPosition(res.Position)}, nil
}

// errTombstoneMayHaveSucceeded explains a StreamDeletedError that a retry of
// this very tombstone may have caused.
var errTombstoneMayHaveSucceeded = errors.New("esdb: an earlier attempt of this tombstone may have succeeded")

// transient accepts every failure that a retry may cure.
func transient(f failure) bool { return f == failNotApplied || f == failAmbiguous }
