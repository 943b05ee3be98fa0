// Package esdb implements eventstore.Store on EventStoreDB (KurrentDB), or on
// any server speaking its gRPC protocol such as eventstore/esdbserver,
// through the official Go client (github.com/EventStore/EventStore-Client-Go/v4).
//
//	s, err := esdb.Open(ctx, "esdb://127.0.0.1:2113?tls=false")
//	s, err := esdb.Open(ctx, "esdb://a:2113,b:2113,c:2113?nodepreference=leader")
//	s, err := esdb.Open(ctx, "esdb+discover://cluster.example:2113")
//
// # Retries
//
// Failures are sorted in three kinds (see classify):
//
//   - not applied: the node answered "not leader" (the client reconnects to
//     the leader it names) or "not ready"/"too busy", or no connection could
//     be dialled. Nothing was written; every operation retries.
//   - ambiguous: the connection dropped or the call timed out after the
//     request may have reached the server. Reads, subscriptions, deletes and
//     tombstones retry. An append retries only when its expectation is
//     NoStream or Exact(n): the server then compares the proposed event IDs
//     with the events written right after the expected revision and, if the
//     first attempt did land, answers with its original result and writes
//     nothing (storetest pins this idempotency). With Any or StreamExists the
//     server can only consult a best-effort cache of recent event IDs, which
//     a restart, a leader change or enough traffic empties; a retry could
//     write the events twice, and a petition signature must never be counted
//     twice. Such an append fails with ErrAppendOutcomeUnknown (together
//     with eventstore.ErrUnavailable, or the context's error when the
//     caller gave up first) and the caller decides: it may read the stream
//     to look for its event IDs, or append again with an Exact expectation.
//     TestDroppedConnectionsNeverDoubleWrite cuts connections at random
//     under concurrent writers and checks this, and that retrying Any
//     appends would indeed write twice.
//   - permanent: wrong expected revision, deleted stream, invalid argument,
//     access denied, ... Never retried.
//
// Retries follow a RetryPolicy: a bounded number of attempts, exponential
// backoff with jitter, and the caller's context ends the wait.
//
// # Connections
//
// The client keeps one connection goroutine that discovers a node, and
// closes itself for good when discovery gives up (10 attempts by default);
// any call then waiting on that goroutine blocks for ever. So the Store makes
// discovery unbounded unless the connection string sets maxDiscoverAttempts
// (it then replaces a client that gave up), and runs every client call under
// the caller's context: while no node can be found, calls wait, and return
// the context's error when it ends. Open checks a node answers, with bounded
// discovery, so a wrong address fails Open plainly.
//
// # Errors
//
// Every client error is mapped to the eventstore errors (mapError):
// *WrongExpectedRevisionError (with the expectation and the actual revision,
// parsed from the client's or the server's message, since the client drops
// the structured fields), *StreamDeletedError, *StreamNotFoundError,
// ErrAccessDenied, ErrUnavailable, ErrInvalidArgument, ErrAppendTooLarge and
// ErrCorrupt, always wrapped with %w and the operation.
//
// # Reads and subscriptions
//
// The client's ReadAll cannot ask the server to filter, so ReadAll filters
// on the client, reading $all in pages. Subscriptions to $all filter on the
// server, which also sends the checkpoints, delivered as
// SubscriptionMessage.Checkpoint.
//
// A subscription delivers exactly one CaughtUp marker, and after a dropped
// connection it subscribes again from the last event it delivered
// (exclusive), dropping anything at or before it, so there is no gap and no
// duplicate. It does not resume from the last checkpoint: an event may sit
// at exactly a checkpoint's position and come after it (storetest allows
// it), so resuming from a checkpoint, exclusive, could skip that event.
// A checkpoint not after one already delivered is not delivered again. The
// context given to SubscribeToStream or SubscribeToAll bounds the
// subscription's life.
//
// # Known limits
//
// A call abandoned because its context ended keeps a goroutine inside the
// client until a node is found again. Close during an outage therefore
// leaves the client's discovery running until a node answers, then closes
// it: closing it earlier would panic the calls waiting on it.
package esdb
