package storetest

import (
	"context"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// wantDeleteRecord checks that res points at the record the deletion wrote
// in $all: a "$metadata" event of "$$"+stream with $tb = max int64 for a
// soft delete, a "$streamDeleted" event of stream for a tombstone.
func wantDeleteRecord(t testing.TB, s eventstore.Store, stream string, res eventstore.DeleteResult, tombstone bool, after eventstore.Position) {
	t.Helper()
	if res.Position.Compare(after) <= 0 {
		t.Errorf("DeleteResult.Position %v is not after the stream's last event at %v", res.Position, after)
	}
	recs := mustReadAll(t, s, eventstore.ReadAllOptions{From: res.Position, MaxCount: 1})
	if len(recs) != 1 || recs[0].Position != res.Position {
		t.Fatalf("$all at DeleteResult.Position %v: got %s, want the deletion record", res.Position, describe(recs))
	}
	r := recs[0]
	if tombstone {
		if r.Stream != stream || r.Type != eventstore.TombstoneEventType {
			t.Errorf("tombstone record: got %s type %q, want %s type %q", r.Stream, r.Type, stream, eventstore.TombstoneEventType)
		}
		return
	}
	if r.Stream != eventstore.MetadataStreamName(stream) || r.Type != eventstore.MetadataEventType {
		t.Fatalf("soft delete record: got %s type %q, want %s type %q", r.Stream, r.Type, eventstore.MetadataStreamName(stream), eventstore.MetadataEventType)
	}
	m, err := eventstore.ParseStreamMetadata(r.Data)
	if err != nil {
		t.Fatalf("soft delete record %q: %v", r.Data, err)
	}
	if m.TruncateBefore == nil || *m.TruncateBefore != eventstore.DeletedStreamTruncateBefore {
		t.Errorf("soft delete record %q: want $tb = %d", r.Data, uint64(eventstore.DeletedStreamTruncateBefore))
	}
}

// wrongDelete is a delete or tombstone whose expectation does not hold.
type wrongDelete struct {
	name     string
	events   int // 0: the stream does not exist
	expected eventstore.ExpectedRevision
	actual   eventstore.CurrentRevision
}

// runWrongDeletes runs each case with del (Delete or Tombstone) on a new
// stream named from prefix: it must fail with a wrong expected revision
// and leave the stream as it was; a stream that did not exist still reads
// as not found and is then checked by afterMissing.
func runWrongDeletes(t *testing.T, s eventstore.Store, prefix string,
	del func(ctx context.Context, stream string, exp eventstore.ExpectedRevision) (eventstore.DeleteResult, error),
	afterMissing func(t *testing.T, stream string), cases ...wrongDelete) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := uniqueStream(prefix)
			var evs []eventstore.EventData
			if tc.events > 0 {
				evs = seedStream(t, s, stream, tc.events)
			}
			_, err := del(t.Context(), stream, tc.expected)
			wantWrongExpected(t, err, stream, tc.expected, tc.actual)
			if tc.events == 0 {
				wantReadNotFound(t, s, stream)
				afterMissing(t, stream)
				return
			}
			wantStreamIDs(t, s, stream, evs)
		})
	}
}

// testDelete pins soft delete (StorageWriterService WriteDelete, soft
// branch): the expectation is checked like an append's; deleting a stream
// that has neither events nor metadata is a wrong expected version whatever
// the expectation; the delete writes {"$tb": max int64} to "$$X"; reads
// then answer not found while $all keeps every event; the stream's current
// revision does not change, so a later append continues the revisions and
// rewrites $tb to its first revision (SoftUndeleteStream).
func testDelete(t *testing.T, newStore Factory) {
	s := newStore(t)
	okCases := []struct {
		name     string
		expected eventstore.ExpectedRevision
	}{
		{"DeleteWithAnyHidesTheStream", eventstore.Any{}},
		{"DeleteWithExactCurrentHidesTheStream", eventstore.Exact(2)},
		{"DeleteWithStreamExistsHidesTheStream", eventstore.StreamExists{}},
	}
	for _, tc := range okCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := uniqueStream("del")
			evs := newEvents(3)
			last := mustAppend(t, s, stream, eventstore.NoStream{}, evs...)
			res, err := s.Delete(t.Context(), stream, tc.expected)
			if err != nil {
				t.Fatalf("Delete(%v): %v", tc.expected, err)
			}
			wantDeleteRecord(t, s, stream, res, false, last.Position)
			wantReadNotFound(t, s, stream)
			if got := streamEvents(readWholeAll(t, s), stream); !equalIDs(recordedIDs(got), idsOf(evs)) {
				t.Errorf("$all after delete: got %d events of the stream, want the %d written", len(got), len(evs))
			}
		})
	}
	runWrongDeletes(t, s, "del", s.Delete, func(t *testing.T, stream string) {
		if recs, err := s.ReadStream(t.Context(), eventstore.MetadataStreamName(stream), eventstore.ReadStreamOptions{}); err == nil {
			t.Errorf("a failed delete wrote metadata: %s", describe(recs))
		}
	}, []wrongDelete{
		{"DeleteWithExactBehindIsWrongExpected", 3, eventstore.Exact(1), eventstore.CurrentRevision{Revision: 2}},
		{"DeleteWithExactAheadIsWrongExpected", 3, eventstore.Exact(3), eventstore.CurrentRevision{Revision: 2}},
		{"DeleteWithNoStreamOnExistingIsWrongExpected", 3, eventstore.NoStream{}, eventstore.CurrentRevision{Revision: 2}},
		{"DeleteMissingWithAnyIsWrongExpected", 0, eventstore.Any{}, eventstore.CurrentRevision{NoStream: true}},
		{"DeleteMissingWithNoStreamIsWrongExpected", 0, eventstore.NoStream{}, eventstore.CurrentRevision{NoStream: true}},
		{"DeleteMissingWithStreamExistsIsWrongExpected", 0, eventstore.StreamExists{}, eventstore.CurrentRevision{NoStream: true}},
		{"DeleteMissingWithExactIsWrongExpected", 0, eventstore.Exact(0), eventstore.CurrentRevision{NoStream: true}},
	}...)
	t.Run("Revival", func(t *testing.T) { testRevival(t, s) })
	t.Run("DeleteOfTombstonedStreamIsStreamDeleted", func(t *testing.T) {
		t.Parallel()
		stream := uniqueStream("del")
		seedStream(t, s, stream, 1)
		if _, err := s.Tombstone(t.Context(), stream, eventstore.Any{}); err != nil {
			t.Fatalf("Tombstone: %v", err)
		}
		_, err := s.Delete(t.Context(), stream, eventstore.Any{})
		wantStreamDeleted(t, err, stream)
	})
	t.Run("DeleteOfDeletedStreamWithAnySucceeds", func(t *testing.T) {
		t.Parallel()
		stream := uniqueStream("del")
		seedStream(t, s, stream, 2)
		first, err := s.Delete(t.Context(), stream, eventstore.Any{})
		if err != nil {
			t.Fatalf("first Delete: %v", err)
		}
		second, err := s.Delete(t.Context(), stream, eventstore.Any{})
		if err != nil {
			t.Fatalf("second Delete: %v", err)
		}
		wantDeleteRecord(t, s, stream, second, false, first.Position)
		wantReadNotFound(t, s, stream)
	})
}

// testRevival pins appends to a soft-deleted stream whose last revision
// is 2 (IndexWriter.CheckCommit on a soft-deleted stream): Any, Exact(2)
// and NoStream (a special case: NoStream whose first ID does not match
// revision 0 is accepted on a soft-deleted stream) revive it at revision 3;
// StreamExists is refused with "stream deleted"; other exact revisions are
// wrong, with the actual revision 2. Only the new events are visible.
func testRevival(t *testing.T, s eventstore.Store) {
	cases := []struct {
		name     string
		expected eventstore.ExpectedRevision
		ok       bool
		deleted  bool
		actual   eventstore.CurrentRevision
	}{
		{"AnyRevivesWithContinuingRevisions", eventstore.Any{}, true, false, eventstore.CurrentRevision{}},
		{"ExactLastRevivesWithContinuingRevisions", eventstore.Exact(2), true, false, eventstore.CurrentRevision{}},
		{"NoStreamRevivesWithContinuingRevisions", eventstore.NoStream{}, true, false, eventstore.CurrentRevision{}},
		{"StreamExistsIsStreamDeleted", eventstore.StreamExists{}, false, true, eventstore.CurrentRevision{}},
		{"ExactAheadIsWrongExpectedWithLastRevision", eventstore.Exact(3), false, false, eventstore.CurrentRevision{Revision: 2}},
		{"ExactBehindIsWrongExpectedWithLastRevision", eventstore.Exact(0), false, false, eventstore.CurrentRevision{Revision: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := uniqueStream("revive")
			seedStream(t, s, stream, 3)
			if _, err := s.Delete(t.Context(), stream, eventstore.Any{}); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			evs := newEvents(2)
			res, err := s.Append(t.Context(), stream, tc.expected, evs...)
			switch {
			case tc.deleted:
				wantStreamDeleted(t, err, stream)
			case !tc.ok:
				wantWrongExpected(t, err, stream, tc.expected, tc.actual)
			case err != nil:
				t.Fatalf("Append(%v) to a soft-deleted stream: %v", tc.expected, err)
			}
			if !tc.ok {
				wantReadNotFound(t, s, stream)
				return
			}
			if res.NextRevision != 4 {
				t.Errorf("NextRevision: got %d, want 4", res.NextRevision)
			}
			got := readWholeStream(t, s, stream)
			if !equalIDs(recordedIDs(got), idsOf(evs)) || !equalRevisions(revisionsOf(got), []uint64{3, 4}) {
				t.Errorf("revived stream: got %s, want only the new events at revisions 3 and 4", describe(got))
			}
			meta := mustReadStream(t, s, eventstore.MetadataStreamName(stream), eventstore.ReadStreamOptions{Direction: eventstore.Backwards, MaxCount: 1})
			if len(meta) != 1 {
				t.Fatalf("metadata of the revived stream: got %d events, want 1", len(meta))
			}
			m, err := eventstore.ParseStreamMetadata(meta[0].Data)
			if err != nil || m.TruncateBefore == nil || *m.TruncateBefore != 3 {
				t.Errorf("metadata of the revived stream: got %q (%v), want $tb = 3", meta[0].Data, err)
			}
			// The revived stream takes the next append at revision 5.
			if r := mustAppend(t, s, stream, eventstore.Exact(4), newEvent("after")); r.NextRevision != 5 {
				t.Errorf("append after revival: NextRevision got %d, want 5", r.NextRevision)
			}
		})
	}
}
