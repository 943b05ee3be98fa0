// Package eventstore defines the Store interface that every backend of the
// petition ledger implements, with EventStoreDB's semantics:
//
//   - Append to a stream with an expected revision (Any, NoStream,
//     StreamExists or an exact revision). Appends are idempotent by event ID:
//     retrying an append whose acknowledgement was lost returns the original
//     result and writes nothing.
//   - Read one stream, or the global $all log, forwards or backwards.
//   - Subscribe to one stream or to $all: a catch-up subscription reads the
//     history, reports that it has caught up, then delivers live events with
//     no gap and no duplicate.
//   - Soft-delete (a later append revives the stream) or tombstone (the
//     stream can never be written or read again) a stream.
//
// The backends are:
//   - eventstore/embedded: the default, a durable log on local disk.
//   - eventstore/esdb: EventStoreDB/KurrentDB through the official Go client.
//
// eventstore/storetest is the conformance suite every backend runs.
//
// Stream names starting with "$" are system streams. "$$X" is the metadata
// stream of X; see StreamMetadata.
package eventstore
