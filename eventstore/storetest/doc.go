// Package storetest is the conformance suite of eventstore.Store: the
// executable specification of the contract written in the eventstore
// package's doc comments and of EventStoreDB's semantics. Every backend runs
// it, unchanged.
//
// # Using it from a backend
//
// A backend calls Run from one of its own tests with a Factory that returns
// a fresh, empty store and registers the store's cleanup:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t testing.TB) eventstore.Store {
//			s, err := embedded.Open(t.TempDir())
//			if err != nil {
//				t.Fatalf("open: %v", err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The factory is called many times (about 35 stores per run), from
// parallel subtests, with the subtest's own t: it must be safe for
// concurrent use and must not share state between the stores it returns.
// Cases that need the whole of $all to themselves get a store of their own;
// the others share a store, use unique stream names and look only at their
// own streams. Backends may write system events of their own to $all:
// expectations about $all are computed from what the store itself returns,
// and user streams never start with "$". One case closes its store and
// expects the factory's cleanup to tolerate a second Close.
//
// The suite also runs against the in-memory reference store in
// eventstore/storetest/memstore (written from EventStoreDB's source), which
// proves every case passable and catches mistakes in the suite; other
// packages' tests use that store as their in-memory fake.
//
// A failing case is named for the outcome it expects (for example
// Append/NoStreamOnExistingIsWrongExpected), so that
//
//	go test -race -run 'TestConformance/Append/NoStreamOnExisting' ./eventstore/embedded
//
// reruns one case.
//
// # What it checks
//
// Appends (every expected revision against missing, existing, soft-deleted
// and tombstoned streams; results; errors; atomicity; invalid input),
// idempotent retries, stream and $all reads with their bounds and filters,
// the recorded fields, stream metadata ($maxCount, $maxAge, $tb), soft
// delete and tombstone, catch-up subscriptions to a stream and to $all
// (exclusive starts, the CaughtUp marker, no gap and no duplicate across
// the catch-up to live switch, filters and checkpoints, Close and context
// cancellation, slow consumers), racing writers, and randomized concurrent
// histories checked against an independent model of EventStoreDB's
// IndexWriter.CheckCommit.
//
// Where the eventstore contract leaves a detail open, the suite follows the
// EventStoreDB server (src/EventStore.Core/Services/Storage/ReaderIndex/
// IndexWriter.cs, StorageWriterService.cs, IndexReader.cs, and the gRPC
// Streams service); the comment on each case says what it follows.
//
// # Randomized histories
//
// The random-history case prints its seed when it fails. Set
// STORETEST_SEED=<seed> to replay the same operations (the interleaving of
// goroutines is up to the scheduler, so a failure may need a few runs).
// STORETEST_HISTORIES=<n> runs n seeds instead of the default.
//
// # Time
//
// The suite never asserts how long anything takes. Blocking waits are
// bounded by a generous limit only to turn a hang into a failure that
// names the stuck operation.
package storetest
