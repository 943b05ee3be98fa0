// Package esdbserver serves EventStoreDB's gRPC client protocol over any
// eventstore.Store, so that EventStoreDB's official clients (Go, Node, ...)
// and tools can use a Petition Ledger store as if it were an EventStoreDB
// node.
//
//	srv := esdbserver.New(store, esdbserver.Options{Logger: logger})
//	lis, _ := net.Listen("tcp", "127.0.0.1:2113")
//	go srv.Serve(lis) // clients connect with esdb://127.0.0.1:2113?tls=false
//	...
//	srv.GracefulStop() // the Store stays open: it belongs to the caller
//
// # Services
//
//   - event_store.client.streams.Streams: Append, Read (stream and $all
//     reads, forwards and backwards, filtered $all reads, and catch-up
//     subscriptions to a stream or to $all with filters and checkpoints),
//     Delete (soft) and Tombstone (hard). BatchAppend is not implemented:
//     it answers Unimplemented and ServerFeatures does not list it, so the
//     clients use Append.
//   - event_store.client.server_features.ServerFeatures: the methods above
//     and a numeric version (Options.Version, "24.10.0" by default).
//   - event_store.client.gossip.Gossip: this single node as an alive Leader,
//     so esdb+discover:// and multi-seed connection strings work.
//
// Transport is plaintext HTTP/2 (h2c; clients use tls=false). Client pings
// are tolerated every Options.KeepaliveMinTime (5 s) even with no call open:
// the official clients ping every 10 s.
//
// # Security
//
// Options.Security sets TLS (Security.TLS: clients use tls=true) and users
// (Security.Users, login → password). With users, every Streams call must
// carry HTTP Basic credentials of one of them, as esdb://login:password@host
// sends them: a call without credentials fails like an anonymous call on
// EventStoreDB (PermissionDenied "Access Denied", exception=access-denied),
// one with wrong credentials fails with Unauthenticated; ServerFeatures and
// Gossip stay open so that clients can discover the node. Users need TLS
// (New panics otherwise): the official clients refuse to send credentials
// in plaintext. There are no per-stream ACLs: a user may do everything, and
// $acl in stream metadata is stored but not enforced. Without users every
// request is allowed, as on EventStoreDB started with --insecure: serve it
// so on loopback or a trusted network only (petitionledger serve refuses a
// non-loopback --esdb-listen without users unless given --esdb-insecure).
//
// # Wire behaviour
//
// It follows the real server (src/EventStore.Core/Services/Transport/Grpc):
//
//   - Append buffers the whole request and checks it before calling
//     Store.Append once: a request whose size (Σ data + metadata + 2 ×
//     UTF-16 length of the type) exceeds Options.MaxAppendSize (1 MiB)
//     fails with InvalidArgument, exception=maximum-append-size-exceeded,
//     and writes nothing; a proposed event without "type" or "content-type"
//     fails with exception=missing-required-metadata-property. Event IDs are
//     accepted in structured and string form. A failed expectation is a
//     normal wrong_expected_version response with the current (6-7) and
//     expected (8-11) fields, and the legacy 20.6.0 fields.
//   - Read answers in the UUID form asked for. Each event carries "type",
//     "content-type" and "created" (.NET ticks since the Unix epoch) in its
//     metadata, and its commit and prepare positions (Store positions). A
//     stream read of a missing or soft-deleted stream answers
//     stream_not_found; of a tombstoned stream, FailedPrecondition with
//     exception=stream-deleted and stream-name. Reads are inclusive of their
//     start; subscriptions are exclusive, as in the Store.
//   - resolve_links is accepted and changes nothing (the Store has no link
//     events), and control_option.compatibility is ignored: no
//     first/last_stream_position messages are sent, as for the official
//     clients, which never ask for them.
//   - A subscription sends confirmation first, then events, caught_up when
//     it turns live, and for filtered $all subscriptions checkpoints every
//     checkpointIntervalMultiplier × window (window = max, or 32) events
//     scanned.
//   - Delete and tombstone answer the position of the record written; a
//     failed expectation is FailedPrecondition with
//     exception=wrong-expected-version, stream-name, expected-version and
//     actual-version (as .NET longs: no stream -1, any -2, stream exists -4).
//   - Malformed requests (no options, no stream name, no expectation, a
//     proposed message out of place, a bad UUID or filter) fail with
//     InvalidArgument. System streams and "$$" metadata streams pass through
//     to the Store, which implements their semantics.
//
// # Performance
//
// Reads and appends carry one gRPC message per event. The server's codec
// (encode.go, decode.go) encodes events for reads straight from the Store's
// RecordedEvent into pooled buffers, byte-identical to proto.Marshal, and
// decodes the clients' proposed events by hand, falling back to protobuf
// for any unusual shape; tests compare both with the generated code, and
// fuzz them. $all reads page through the Store Options.ReadBatchSize events
// at a time. Gossip's http_end_point is the connection's local address by
// default; the Go client cannot use an IPv6 one (it does not bracket it),
// so listen on IPv4 or set Options.AdvertiseAddress to a host name.
//
// Store errors map to the real server's statuses: ErrClosed to Unavailable
// "Server Is Not Ready" (nothing was done), ErrUnavailable to Unavailable,
// ErrAccessDenied to PermissionDenied, ErrCorrupt to DataLoss.
package esdbserver
