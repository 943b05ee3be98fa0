package ledger_test

import (
	"context"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/storetest/memstore"
)

// failingStore is the in-memory reference store with a hook that runs
// before every append: an error it returns fails the append, so tests can
// inject store failures.
type failingStore struct {
	*memstore.Store
	beforeAppend func(stream string) error
}

var _ eventstore.Store = (*failingStore)(nil)

// Append runs the hook, then appends unless it failed.
func (s *failingStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision,
	events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if s.beforeAppend != nil {
		if err := s.beforeAppend(stream); err != nil {
			return eventstore.AppendResult{}, err
		}
	}
	return s.Store.Append(ctx, stream, expected, events...)
}
