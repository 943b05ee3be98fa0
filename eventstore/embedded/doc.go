// Package embedded is the default eventstore.Store: a durable, append-only
// log on local disk, with no server. Open a directory with Open; one Store
// (one process) owns a directory at a time (flock on DIR/LOCK).
//
// # Files
//
//	DIR/LOCK                        flock'ed by the owning Store
//	DIR/seg-<base, 20 digits>.log   log segments, in base order
//	DIR/index.snap                  stream index snapshot (optional)
//
// # Segment format (version 1)
//
// A segment starts with a 16-byte header: the magic "PLEDGLOG", the format
// version (uint32 LE, currently 1) and the CRC-32C of those 12 bytes. Then
// come records, back to back. base (in the file name) is the global
// position of the segment's first byte; the next segment's base is this
// base plus this file's size, so positions are byte offsets into the
// concatenated log (headers included). The position of an event in $all is
// the global position of its record (Commit == Prepare). The first record
// is at 16, so 0 (StartPosition) is "before the first event".
//
// Every record is one frame, little endian, padded to a multiple of 8:
//
//	off  size  field
//	0    4     frame size in bytes, header and trailer included
//	4    4     CRC-32C (Castagnoli) of bytes [8, size)
//	8    1     kind: 1 = event
//	9    1     flags: bit 0 = last record of its transaction, bit 1 = tombstone
//	10   2     stream name length (> 0)
//	12   2     event type length (> 0)
//	14   1     content type: 0 = application/json, 1 = application/octet-stream
//	15   1     reserved, zero
//	16   8     revision in the stream (math.MaxInt64 for a tombstone)
//	24   8     created, .NET ticks (100 ns units since 0001-01-01 UTC)
//	32   16    event ID (UUID bytes, RFC 4122 order)
//	48   4     data length
//	52   4     metadata length
//	56   ...   stream name, event type, data, metadata
//	...        zero padding
//	size-4 4   frame size again (the trailer that backwards reads use)
//
// An append (or delete) is a transaction: its records are contiguous and
// the last one carries flag bit 0. A record is never split across
// segments, nor is a transaction. The golden file testdata/golden.seg pins
// the format (regenerate with UPDATE_GOLDEN=1 go test -run Golden).
//
// # Writing
//
// One writer goroutine owns the log. Append validates its input, queues a
// request and waits. The writer takes every queued request (group commit),
// checks each one's expectation in order against the index plus the
// effects of earlier requests of the same batch, encodes the records into
// one buffer, writes it with one pwrite, fdatasyncs once, publishes the new
// index entries and head position, and only then acknowledges every
// request. A failed write or fsync is sticky: the store refuses every later
// append with ErrWriteFailed (reads continue).
//
// Expectations follow EventStoreDB's IndexWriter.CheckCommit, including
// idempotent retries (the IDs of the events after the expected revision
// are read back from the log) and soft-deleted streams (NoStream recreates
// them; StreamExists answers StreamDeletedError). Soft delete writes
// {"$tb":MaxInt64} to "$$X"; an append to a soft-deleted stream writes, in
// the same transaction, metadata whose $tb is the first new revision
// (StorageWriterService.SoftUndeleteStream). A tombstone is a
// "$streamDeleted" record with revision MaxInt64 and flag bit 1.
//
// # Index
//
// The index never stores stream names. It is an open-addressing (linear
// probing) table of 24-byte slots keyed by a fixed 64-bit hash of the name
// (FNV-1a + splitmix64 finaliser): hash, position of the stream's first
// record, last revision with two flag bits (tombstoned, no events). A hash
// match is confirmed by reading the stream name from the first record on
// disk; true collisions just occupy further slots. A stream with one event
// needs nothing else; a stream with more keeps a []uint64 of the positions
// of its revisions (8 bytes per event), keyed by its first position.
//
// # Reads and subscriptions
//
// Reads never hold a lock while they touch the disk: they take the segment
// list and head under a read lock, then pread. Stream metadata ($tb,
// $maxCount, $maxAge; metastreams read as $maxCount 1) is applied at read
// time. Subscriptions pull from the log at the consumer's pace (a small
// buffer refilled by an ordinary read) and wait on a broadcast channel that
// the writer closes and replaces at every commit; the channel is taken
// before the read, so no commit is missed and nothing is queued for a slow
// subscriber.
//
// # Recovery
//
// Open scans the log (after the snapshot, when one is valid). A bad record
// in the last segment with no CRC-valid record after it, or records after
// the last transaction end, are a torn tail: it is truncated and logged.
// Anything else that does not decode is corruption: Open fails with
// ErrCorrupt naming the file and offset; see Check and Repair.
package embedded
