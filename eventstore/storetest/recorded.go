package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testRecordedFields: every field of a proposed event comes back byte for
// byte, from a stream read, a $all read and a subscription; Created is a
// non-zero UTC time that never decreases along $all.
func testRecordedFields(t *testing.T, newStore Factory) {
	s := newStore(t)
	started := time.Now()
	big := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	mk := func(typ, ct string, data, meta []byte) eventstore.EventData {
		e := newEvent(typ)
		e.ContentType, e.Data, e.Metadata = ct, data, meta
		return e
	}
	proposed := []eventstore.EventData{
		mk("json", eventstore.ContentTypeJSON, []byte(`{"a":1,"b":[true,null]}`), []byte(`{"correlation":"x"}`)),
		mk("binary", eventstore.ContentTypeBinary, binary, binary[:7]),
		mk("empty-data", eventstore.ContentTypeJSON, nil, nil),
		mk("empty-json-object", eventstore.ContentTypeJSON, []byte(`{}`), []byte{}),
		mk("big", eventstore.ContentTypeBinary, big, big[:1000]),
		mk("unicode-type-été-签名", eventstore.ContentTypeJSON, []byte(`{"name":"Zoë"}`), nil),
		mk("default-content-type", "", []byte(`{"x":1}`), nil),
		mk("$user-dollar-type", eventstore.ContentTypeJSON, []byte(`{}`), nil),
	}
	stream := uniqueStream("fields")
	sub, err := s.SubscribeToStream(t.Context(), stream, eventstore.Start{})
	if err != nil {
		t.Fatalf("SubscribeToStream: %v", err)
	}
	closeSub(t, sub)
	mustAppend(t, s, stream, eventstore.NoStream{}, proposed[:4]...)
	for _, e := range proposed[4:] {
		mustAppend(t, s, stream, eventstore.Any{}, e)
	}
	fromStream := readWholeStream(t, s, stream)
	fromAll := streamEvents(readWholeAll(t, s), stream)
	fromSub := collectEvents(t, sub, len(proposed))
	for _, src := range []struct {
		name string
		recs []eventstore.RecordedEvent
	}{{"ReadStream", fromStream}, {"ReadAll", fromAll}, {"Subscription", fromSub}} {
		t.Run(src.name+"RoundTripsEveryField", func(t *testing.T) {
			if len(src.recs) != len(proposed) {
				t.Fatalf("got %d events, want %d", len(src.recs), len(proposed))
			}
			for i, r := range src.recs {
				checkRecorded(t, r, proposed[i], stream, uint64(i))
				if r.Created.Before(started.Add(-time.Minute)) || r.Created.After(time.Now().Add(time.Minute)) {
					t.Errorf("event %d: Created %v is not near the time of the test (%v)", i, r.Created, started)
				}
				if !sameRecorded(r, fromStream[i]) {
					t.Errorf("event %d differs from the stream read: got %+v, want %+v", i, r, fromStream[i])
				}
			}
		})
	}
	t.Run("CreatedNeverDecreasesAlongAll", func(t *testing.T) {
		checkAllOrder(t, readWholeAll(t, s))
	})
}

// sameRecorded compares every field of two recorded events.
func sameRecorded(a, b eventstore.RecordedEvent) bool {
	return a.Stream == b.Stream && a.Revision == b.Revision && a.Position == b.Position &&
		a.ID == b.ID && a.Type == b.Type && a.ContentType == b.ContentType &&
		bytes.Equal(a.Data, b.Data) && bytes.Equal(a.Metadata, b.Metadata) && a.Created.Equal(b.Created)
}
