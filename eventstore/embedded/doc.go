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
// request. A round that starts with fewer requests than the largest of the
// last 8 rounds waits up to a quarter of the last round's duration (at most
// 1 ms) for the writers that were just released, so that concurrent
// writers keep sharing fsyncs instead of splitting into partial batches.
// The writer keeps zeros written up to 4 MiB ahead of the log's end in the
// active segment (not past SegmentSize), so that most fdatasyncs flush data
// into blocks that already exist and need no journal commit for a new file
// size (prezero.go). Reads stop at the head; a segment is truncated to its
// last record and fsynced before the next one is created, and Close does
// the same to the active one, so a sealed or cleanly closed segment ends at
// its last record; after a crash the zeros are a torn tail (zeroed record,
// nothing valid after it) that Open truncates.
//
// A failed write or fsync is sticky: the store refuses
// every later append with ErrWriteFailed (which matches
// eventstore.ErrUnavailable). Options.OnSync observes every fsync.
//
// Created times are the writer's clock truncated to 100 ns (.NET ticks,
// so they round-trip through EventStoreDB clients exactly), never
// decreasing along the log.
//
// Expectations follow EventStoreDB's IndexWriter.CheckCommit, including
// idempotent retries (the IDs of the events after the expected revision
// are read back from the log) and soft-deleted streams (NoStream recreates
// them; StreamExists answers StreamDeletedError). Soft delete
// (StorageWriterService, DeleteStream) writes {"$tb":MaxInt64} to "$$X"
// and fails with a wrong expected revision when X has neither events nor
// metadata; an append to a soft-deleted stream writes, in the same
// transaction, metadata whose $tb is the first new revision (other keys
// kept: SoftUndeleteRawMeta), and so does a metadata write while X is
// soft-deleted (SoftUndeleteMetastream). A tombstone is a "$streamDeleted"
// record with revision MaxInt64 and flag bit 1.
//
// # Index
//
// The index never stores stream names. It is an open-addressing (linear
// probing, load factor at most 3/4, doubling) table of 24-byte slots keyed
// by a fixed 64-bit hash of the name (FNV-1a + splitmix64 finaliser): the
// hash, the position of the stream's first record, and the last revision
// with two flag bits (tombstoned, no events). A hash match is confirmed by
// reading the stream name from the first record on disk (one pread); true
// collisions simply occupy further slots (TestHashCollisions forces every
// name onto one hash). A stream with one event needs nothing else: 24 to
// 48 bytes per stream depending on where the table is between doublings
// (about 40 at 10 million streams). A stream with more events also keeps a
// []uint64 of the positions of its revisions (8 bytes per event), keyed by
// its first position, so reading any revision range is a few preads.
// Stream metadata is not cached: a read of X looks up "$$X" (a miss costs
// one probe) and reads its last record.
//
// # Index snapshot
//
// DIR/index.snap holds the table and the position lists with a magic
// number, a version, the log position it covers (the end of a transaction)
// with the position and CRC of the record that ends there, and a CRC-32C
// of the whole file (layout in snapshot.go). It is written temp file,
// fsync, rename, fsync of the directory: on Close, every SnapshotEvery
// bytes of log (256 MiB by default), and after an Open that had to replay
// more than that. The periodic one is written by a background goroutine
// from a copy of the table (the writer pauses only for the copy: 384 MiB
// of slots at 10 million streams, which also briefly doubles the index's
// memory); at most one runs at a time and Close waits for it. Open loads it and
// replays only the log after the covered position. A snapshot that fails
// any check (checksum, version, covered record missing or changed, for
// example after a repair or when copied from another log) is logged and
// ignored: Open rescans the whole log. Because Open trusts the snapshot,
// damage inside the part it covers is found by the first read that touches
// it (ErrCorrupt with file and offset) and by Check, not by Open.
//
// # Reads and subscriptions
//
// Reads never hold a lock while they touch the disk: they take the segment
// list and head under a read lock, then pread (1 MiB chunks for $all,
// record by record for streams), verifying each record's CRC. Events of a
// page share a few 256 KiB allocations. Stream metadata ($tb, $maxCount,
// $maxAge; metastreams read as $maxCount 1) is applied at read time; $all
// shows everything.
//
// Subscriptions pull from the log at the consumer's pace: each holds a
// cursor (a position or a revision) and a buffer of at most 256 messages
// refilled by an ordinary read. When a read finds nothing new, the
// subscription sends CaughtUp (once) and waits on a channel that the
// writer closes and replaces at every commit; the channel is taken before
// the read, so a commit between the read and the wait is never missed, the
// catch-up and live phases are the same code (no handover), writers never
// wait for subscribers and a slow subscriber costs no memory. A filtered
// $all subscription sends a Checkpoint after every CheckpointInterval
// scanned events. A stream subscription ends with StreamDeletedError once
// the stream is tombstoned; the subscribe call's context also ends it.
//
// # Recovery, Check and Repair
//
// Open scans the log after the snapshot. In the last segment, a bad record
// with no CRC-valid record anywhere after it (incomplete, zeroed or
// CRC-bad), or complete records after the last transaction end, are a torn
// tail: it is truncated and the truncation logged with slog (file, offset,
// bytes, reason). Anything else that does not decode is corruption: Open
// fails with ErrCorrupt (matching eventstore.ErrCorrupt) naming the file
// and offset. (A crash can, in principle, persist a later page of the last
// unacknowledged batch without an earlier one; that looks like corruption
// and needs a repair, which then drops only unacknowledged records.)
//
// Check reports the first problem, where a repair would cut, and how many
// CRC-valid records lie after it. Because the writer zero-fills ahead, a directory
// left by a crash (before Open has run on it again) always shows a torn tail
// (the zeros at least), which Open truncates. Repair copies the damaged segment aside
// (FILE.bad-<nanos>), renames later segments aside (FILE.dropped-<nanos>),
// truncates at the end of the last complete transaction before the damage
// and removes the snapshot; it refuses (ErrWouldDropRecords) to drop
// CRC-valid records unless RepairOptions.DropValidRecords is set
// (petitionledger store repair --drop-valid-records).
package embedded
