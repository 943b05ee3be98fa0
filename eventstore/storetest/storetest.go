package storetest

import (
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Factory returns a fresh, empty store. It registers its own cleanup (for
// example with t.Cleanup) so that the store is closed when the test ends.
type Factory func(t testing.TB) eventstore.Store

// Run runs the whole conformance suite against the stores newStore makes.
// Every group runs in parallel with the others; cases that look at $all get
// a store of their own, the others share one and use unique stream names.
func Run(t *testing.T, newStore Factory) {
	groups := []struct {
		name string
		run  func(*testing.T, Factory)
	}{
		{"Append", testAppend},
		{"AppendInvalid", testAppendInvalid},
		{"Idempotency", testIdempotency},
		{"ReadStream", testReadStream},
		{"ReadAll", testReadAll},
		{"ReadAllFilter", testReadAllFilter},
		{"RecordedFields", testRecordedFields},
		{"Metadata", testMetadata},
		{"Delete", testDelete},
		{"Tombstone", testTombstone},
		{"SubscribeToStream", testSubscribeToStream},
		{"SubscribeToAll", testSubscribeToAll},
		{"SubscriptionRaces", testSubscriptionRaces},
		{"Concurrency", testConcurrency},
		{"RandomHistories", testRandomHistories},
		{"StreamNames", testStreamNames},
		{"Closed", testClosed},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.run(t, newStore)
		})
	}
}
