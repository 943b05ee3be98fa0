package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// setMetadata appends a $metadata event with body to "$$"+stream.
func setMetadata(t testing.TB, s eventstore.Store, stream, body string) eventstore.EventData {
	t.Helper()
	ev := newEvent(eventstore.MetadataEventType)
	ev.Data, ev.Metadata = []byte(body), nil
	mustAppend(t, s, eventstore.MetadataStreamName(stream), eventstore.Any{}, ev)
	return ev
}

// testMetadata pins how "$$X" metadata hides events of X at read time
// (IndexReader.ReadStreamEventsForward/Backward): the lowest visible
// revision is max(last-$maxCount+1, $tb), and events older than $maxAge
// seconds are skipped. A stream whose events are all hidden reads as empty,
// not as not found. $all is never filtered by metadata.
func testMetadata(t *testing.T, newStore Factory) {
	s := newStore(t)
	type o = eventstore.ReadStreamOptions
	bwd := eventstore.Backwards
	cases := []struct {
		name string
		meta []string // applied in order; the last one counts
		opts eventstore.ReadStreamOptions
		want []uint64
	}{
		{"MaxCountKeepsTheLastEvents", []string{`{"$maxCount":3}`}, o{}, revRange(7, 9)},
		{"MaxCountBackwards", []string{`{"$maxCount":3}`}, o{Direction: bwd}, revRange(9, 7)},
		{"MaxCountWithReadMaxCountReturnsFirstVisible", []string{`{"$maxCount":3}`}, o{MaxCount: 2}, revRange(7, 8)},
		{"MaxCountFromHiddenRevisionStartsAtFirstVisible", []string{`{"$maxCount":3}`}, o{From: eventstore.Revision(1)}, revRange(7, 9)},
		{"MaxCountBackwardsFromHiddenRevisionIsEmpty", []string{`{"$maxCount":3}`}, o{Direction: bwd, From: eventstore.Revision(5)}, nil},
		{"MaxCountLargerThanStreamHidesNothing", []string{`{"$maxCount":50}`}, o{}, revRange(0, 9)},
		{"TruncateBeforeHidesEarlierRevisions", []string{`{"$tb":4}`}, o{}, revRange(4, 9)},
		{"TruncateBeforeBackwards", []string{`{"$tb":4}`}, o{Direction: bwd}, revRange(9, 4)},
		{"TruncateBeforeBackwardsFromHiddenIsEmpty", []string{`{"$tb":4}`}, o{Direction: bwd, From: eventstore.Revision(3)}, nil},
		{"TruncateBeforePastTheEndReadsEmptyNotNotFound", []string{`{"$tb":20}`}, o{}, nil},
		{"TruncateBeforeAndMaxCountTakeTheStricter", []string{`{"$tb":4,"$maxCount":3}`}, o{}, revRange(7, 9)},
		{"MaxCountAndTruncateBeforeTakeTheStricter", []string{`{"$tb":8,"$maxCount":5}`}, o{}, revRange(8, 9)},
		{"MaxAgeInTheFutureHidesNothing", []string{`{"$maxAge":86400}`}, o{}, revRange(0, 9)},
		{"LatestMetadataWins", []string{`{"$maxCount":3}`, `{"$maxCount":5}`}, o{}, revRange(5, 9)},
		{"RemovedLimitShowsEverythingAgain", []string{`{"$maxCount":3}`, `{}`}, o{}, revRange(0, 9)},
		{"CustomKeysHideNothing", []string{`{"owner":"petitions","$cacheControl":5}`}, o{}, revRange(0, 9)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := uniqueStream("meta")
			evs := seedStream(t, s, stream, 10)
			var last eventstore.EventData
			for _, m := range tc.meta {
				last = setMetadata(t, s, stream, m)
			}
			recs := mustReadStream(t, s, stream, tc.opts)
			if got := revisionsOf(recs); !equalRevisions(got, tc.want) {
				t.Fatalf("revisions: got %v, want %v", got, tc.want)
			}
			for _, r := range recs {
				checkRecorded(t, r, evs[r.Revision], stream, r.Revision)
			}
			// $all is not filtered by metadata.
			inAll := streamEvents(readWholeAll(t, s), stream)
			if !equalIDs(recordedIDs(inAll), idsOf(evs)) {
				t.Errorf("$all: got %d events of the stream, want all %d", len(inAll), len(evs))
			}
			checkLatestMetadata(t, s, stream, last)
		})
	}
	t.Run("MetadataStreamReadsAsItsLatestEventOnly", func(t *testing.T) {
		t.Parallel()
		// "$$X" behaves as if $maxCount=1 (IndexReader: metastreams get
		// SystemSettings' metastream metadata). The Go client's
		// GetStreamMetadata reads "$$X" forwards from the start with count
		// 1 and must get the latest metadata.
		stream := uniqueStream("meta")
		seedStream(t, s, stream, 1)
		setMetadata(t, s, stream, `{"$maxCount":3}`)
		last := setMetadata(t, s, stream, `{"$maxCount":4,"custom":{"a":[1,2]}}`)
		meta := eventstore.MetadataStreamName(stream)
		recs := mustReadStream(t, s, meta, o{MaxCount: 1})
		if len(recs) != 1 || recs[0].ID != last.ID {
			t.Fatalf("ReadStream(%s, forwards, count 1): got %s, want only the latest metadata event %v", meta, describe(recs), last.ID)
		}
		all := readWholeStream(t, s, meta)
		if len(all) != 1 || all[0].ID != last.ID {
			t.Errorf("ReadStream(%s): got %s, want only the latest metadata event", meta, describe(all))
		}
	})
	t.Run("MaxAgeHidesOldEventsButNotAll", func(t *testing.T) {
		t.Parallel()
		stream := uniqueStream("maxage")
		seedStream(t, s, stream, 3)
		setMetadata(t, s, stream, `{"$maxAge":1}`)
		recs := readWholeAll(t, s)
		last := streamEvents(recs, stream)[2].Created
		// Wait (on the store's own timestamps) until the events are older
		// than $maxAge. This is not a timing assertion: however long the
		// wait, the events must then be hidden.
		time.Sleep(time.Until(last.Add(1500 * time.Millisecond)))
		got := readWholeStream(t, s, stream)
		if len(got) != 0 {
			t.Errorf("after $maxAge passed: got revisions %v, want none (and no not-found error)", revisionsOf(got))
		}
		if n := len(streamEvents(readWholeAll(t, s), stream)); n != 3 {
			t.Errorf("$all: got %d events of the expired stream, want 3", n)
		}
	})
}

// checkLatestMetadata checks that the latest "$$X" event is the one the test
// wrote, byte for byte, and that it parses.
func checkLatestMetadata(t testing.TB, s eventstore.Store, stream string, want eventstore.EventData) {
	t.Helper()
	recs := mustReadStream(t, s, eventstore.MetadataStreamName(stream), eventstore.ReadStreamOptions{Direction: eventstore.Backwards, MaxCount: 1})
	if len(recs) != 1 {
		t.Fatalf("latest metadata of %s: got %d events, want 1", stream, len(recs))
	}
	r := recs[0]
	if r.ID != want.ID || r.Type != eventstore.MetadataEventType || string(r.Data) != string(want.Data) {
		t.Errorf("latest metadata of %s: got %v %q %q, want %v %q %q", stream, r.ID, r.Type, r.Data, want.ID, eventstore.MetadataEventType, want.Data)
	}
	if _, err := eventstore.ParseStreamMetadata(r.Data); err != nil {
		t.Errorf("latest metadata of %s does not parse: %v", stream, err)
	}
	if !json.Valid(r.Data) {
		t.Errorf("latest metadata of %s is not JSON: %q", stream, r.Data)
	}
}
