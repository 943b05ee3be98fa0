package storetest

import (
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testTombstone pins hard deletes (StorageWriterService WriteDelete, hard
// branch): the expectation is checked like an append's, so a missing stream
// can be tombstoned with Any or NoStream; a "$streamDeleted" event is
// written to the stream; afterwards every read, append, delete and
// tombstone of the stream answers "stream deleted"; $all keeps the events.
func testTombstone(t *testing.T, newStore Factory) {
	s := newStore(t)
	okCases := []struct {
		name     string
		events   int
		expected eventstore.ExpectedRevision
	}{
		{"TombstoneWithAnyDeletesForEver", 3, eventstore.Any{}},
		{"TombstoneWithExactCurrentDeletesForEver", 3, eventstore.Exact(2)},
		{"TombstoneWithStreamExistsDeletesForEver", 3, eventstore.StreamExists{}},
		{"TombstoneMissingWithAnyDeletesForEver", 0, eventstore.Any{}},
		{"TombstoneMissingWithNoStreamDeletesForEver", 0, eventstore.NoStream{}},
	}
	for _, tc := range okCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := uniqueStream("tomb")
			var evs []eventstore.EventData
			var last eventstore.Position
			if tc.events > 0 {
				evs = newEvents(tc.events)
				last = mustAppend(t, s, stream, eventstore.NoStream{}, evs...).Position
			}
			res, err := s.Tombstone(t.Context(), stream, tc.expected)
			if err != nil {
				t.Fatalf("Tombstone(%v): %v", tc.expected, err)
			}
			wantDeleteRecord(t, s, stream, res, true, last)
			wantTombstoned(t, s, stream)
			var data []eventstore.RecordedEvent
			for _, r := range streamEvents(readWholeAll(t, s), stream) {
				if r.Type != eventstore.TombstoneEventType {
					data = append(data, r)
				}
			}
			if !equalIDs(recordedIDs(data), idsOf(evs)) {
				t.Errorf("$all after tombstone: got %s, want the %d events written", describe(data), len(evs))
			}
		})
	}
	runWrongDeletes(t, s, "tomb", s.Tombstone, func(t *testing.T, stream string) {
		mustAppend(t, s, stream, eventstore.NoStream{}, newEvent("still-writable"))
	}, []wrongDelete{
		{"TombstoneWithExactBehindIsWrongExpected", 3, eventstore.Exact(1), eventstore.CurrentRevision{Revision: 2}},
		{"TombstoneWithNoStreamOnExistingIsWrongExpected", 3, eventstore.NoStream{}, eventstore.CurrentRevision{Revision: 2}},
		{"TombstoneMissingWithStreamExistsIsWrongExpected", 0, eventstore.StreamExists{}, eventstore.CurrentRevision{NoStream: true}},
		{"TombstoneMissingWithExactIsWrongExpected", 0, eventstore.Exact(0), eventstore.CurrentRevision{NoStream: true}},
	}...)
	t.Run("TombstoneOfSoftDeletedStreamDeletesForEver", func(t *testing.T) {
		t.Parallel()
		stream := uniqueStream("tomb")
		seedStream(t, s, stream, 2)
		if _, err := s.Delete(t.Context(), stream, eventstore.Any{}); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Tombstone(t.Context(), stream, eventstore.Any{}); err != nil {
			t.Fatalf("Tombstone: %v", err)
		}
		wantTombstoned(t, s, stream)
	})
}

// wantTombstoned checks that every operation on stream answers with
// *StreamDeletedError and writes nothing.
func wantTombstoned(t testing.TB, s eventstore.Store, stream string) {
	t.Helper()
	wantReadDeleted(t, s, stream)
	_, err := s.ReadStream(t.Context(), stream, eventstore.ReadStreamOptions{From: eventstore.Revision(1)})
	wantStreamDeleted(t, err, stream)
	// The store may be shared: count only this stream's records.
	count := func() int {
		all := readWholeAll(t, s)
		return len(streamEvents(all, stream)) + len(streamEvents(all, eventstore.MetadataStreamName(stream)))
	}
	before := count()
	for _, exp := range []eventstore.ExpectedRevision{eventstore.Any{}, eventstore.NoStream{}, eventstore.StreamExists{}, eventstore.Exact(0), eventstore.Exact(2)} {
		_, err := s.Append(t.Context(), stream, exp, newEvent("after-tombstone"))
		wantStreamDeleted(t, err, stream)
		_, err = s.Append(t.Context(), stream, exp)
		wantStreamDeleted(t, err, stream)
		_, err = s.Delete(t.Context(), stream, exp)
		wantStreamDeleted(t, err, stream)
		_, err = s.Tombstone(t.Context(), stream, exp)
		wantStreamDeleted(t, err, stream)
	}
	if after := count(); after != before {
		t.Errorf("operations on a tombstoned stream wrote %d events to $all", after-before)
	}
}
