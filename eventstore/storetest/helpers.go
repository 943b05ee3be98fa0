package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// waitLimit bounds every blocking wait of the suite (subscription messages,
// writer bursts). It is a deadlock detector, not a performance assertion:
// it is far longer than any healthy backend needs, even under -race on a
// busy machine.
const waitLimit = 60 * time.Second

var streamCounter atomic.Uint64

// uniqueStream returns a stream name no other case of this process uses.
func uniqueStream(prefix string) string {
	return fmt.Sprintf("%s-%d-%s", prefix, streamCounter.Add(1), uuid.NewString()[:8])
}

// newEvent proposes one JSON event with a fresh ID.
func newEvent(eventType string) eventstore.EventData {
	id := uuid.New()
	return eventstore.EventData{
		ID:          id,
		Type:        eventType,
		ContentType: eventstore.ContentTypeJSON,
		Data:        []byte(fmt.Sprintf(`{"id":%q}`, id)),
		Metadata:    []byte(`{"meta":true}`),
	}
}

// newEvents proposes n JSON events of type "test-event" with fresh IDs.
func newEvents(n int) []eventstore.EventData {
	evs := make([]eventstore.EventData, n)
	for i := range evs {
		evs[i] = newEvent("test-event")
	}
	return evs
}

func idsOf(evs []eventstore.EventData) []uuid.UUID {
	ids := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return ids
}

func recordedIDs(recs []eventstore.RecordedEvent) []uuid.UUID {
	ids := make([]uuid.UUID, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}

func revisionsOf(recs []eventstore.RecordedEvent) []uint64 {
	revs := make([]uint64, len(recs))
	for i, r := range recs {
		revs[i] = r.Revision
	}
	return revs
}

// equalIDs and equalRevisions compare in order.
var (
	equalIDs       = slices.Equal[[]uuid.UUID]
	equalRevisions = slices.Equal[[]uint64]
)

// revRange returns [from, from+1, ..., to] (or descending when from > to).
func revRange(from, to uint64) []uint64 {
	var out []uint64
	if from <= to {
		for r := from; r <= to; r++ {
			out = append(out, r)
		}
		return out
	}
	for r := from; ; r-- {
		out = append(out, r)
		if r == to {
			return out
		}
	}
}

func mustAppend(t testing.TB, s eventstore.Store, stream string, exp eventstore.ExpectedRevision, evs ...eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(t.Context(), stream, exp, evs...)
	if err != nil {
		t.Fatalf("Append(%q, %v, %d events): %v", stream, exp, len(evs), err)
	}
	return res
}

// seedStream appends n events to a new stream and returns them as proposed.
func seedStream(t testing.TB, s eventstore.Store, stream string, n int) []eventstore.EventData {
	t.Helper()
	evs := newEvents(n)
	mustAppend(t, s, stream, eventstore.NoStream{}, evs...)
	return evs
}

func mustReadStream(t testing.TB, s eventstore.Store, stream string, opts eventstore.ReadStreamOptions) []eventstore.RecordedEvent {
	t.Helper()
	recs, err := s.ReadStream(t.Context(), stream, opts)
	if err != nil {
		t.Fatalf("ReadStream(%q, %+v): %v", stream, opts, err)
	}
	return recs
}

// readWholeStream reads stream forwards from the start.
func readWholeStream(t testing.TB, s eventstore.Store, stream string) []eventstore.RecordedEvent {
	t.Helper()
	return mustReadStream(t, s, stream, eventstore.ReadStreamOptions{From: eventstore.Start{}})
}

func mustReadAll(t testing.TB, s eventstore.Store, opts eventstore.ReadAllOptions) []eventstore.RecordedEvent {
	t.Helper()
	recs, err := s.ReadAll(t.Context(), opts)
	if err != nil {
		t.Fatalf("ReadAll(%+v): %v", opts, err)
	}
	return recs
}

// readWholeAll reads $all forwards from the start.
func readWholeAll(t testing.TB, s eventstore.Store) []eventstore.RecordedEvent {
	t.Helper()
	return mustReadAll(t, s, eventstore.ReadAllOptions{From: eventstore.Start{}})
}

// userEvents drops the events of system streams ("$..."), keeping those the
// suite appended itself.
func userEvents(recs []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	var out []eventstore.RecordedEvent
	for _, r := range recs {
		if !eventstore.IsSystemStream(r.Stream) {
			out = append(out, r)
		}
	}
	return out
}

// streamEvents keeps the events of one stream.
func streamEvents(recs []eventstore.RecordedEvent, stream string) []eventstore.RecordedEvent {
	var out []eventstore.RecordedEvent
	for _, r := range recs {
		if r.Stream == stream {
			out = append(out, r)
		}
	}
	return out
}

// wantWrongExpected checks that err is a *WrongExpectedRevisionError for
// stream carrying the expectation and the actual state.
func wantWrongExpected(t testing.TB, err error, stream string, expected eventstore.ExpectedRevision, actual eventstore.CurrentRevision) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want wrong expected revision (expected %v, actual %v)", expected, actual)
	}
	wer := wantErrorAs[eventstore.WrongExpectedRevisionError](t, err, eventstore.ErrWrongExpectedRev)
	if wer.Stream != stream {
		t.Errorf("WrongExpectedRevisionError.Stream: got %q, want %q", wer.Stream, stream)
	}
	if wer.Expected != expected {
		t.Errorf("WrongExpectedRevisionError.Expected: got %v (%T), want %v (%T)", wer.Expected, wer.Expected, expected, expected)
	}
	if wer.Actual != actual {
		t.Errorf("WrongExpectedRevisionError.Actual: got %+v, want %+v", wer.Actual, actual)
	}
}

// wantStreamDeleted checks that err is a *StreamDeletedError for stream.
func wantStreamDeleted(t testing.TB, err error, stream string) {
	t.Helper()
	if sde := wantErrorAs[eventstore.StreamDeletedError](t, err, eventstore.ErrStreamDeleted); sde.Stream != stream {
		t.Errorf("StreamDeletedError.Stream: got %q, want %q", sde.Stream, stream)
	}
}

// wantStreamNotFound checks that err is a *StreamNotFoundError for stream.
func wantStreamNotFound(t testing.TB, err error, stream string) {
	t.Helper()
	if snf := wantErrorAs[eventstore.StreamNotFoundError](t, err, eventstore.ErrStreamNotFound); snf.Stream != stream {
		t.Errorf("StreamNotFoundError.Stream: got %q, want %q", snf.Stream, stream)
	}
}

// wantErrorAs checks that err matches sentinel and holds a *E in its chain,
// and returns that *E.
func wantErrorAs[E any, P interface {
	*E
	error
}](t testing.TB, err, sentinel error) P {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("got error %v, want one matching %q", err, sentinel)
	}
	var target P
	if !errors.As(err, &target) {
		t.Fatalf("got error %v (%T), want a %T in its chain", err, err, target)
	}
	return target
}

// wantReadNotFound reads stream forwards and backwards and expects
// *StreamNotFoundError both times.
func wantReadNotFound(t testing.TB, s eventstore.Store, stream string) {
	t.Helper()
	wantReadFails(t, s, stream, "stream not found", wantStreamNotFound)
}

// wantReadDeleted reads stream forwards and backwards and expects
// *StreamDeletedError both times.
func wantReadDeleted(t testing.TB, s eventstore.Store, stream string) {
	t.Helper()
	wantReadFails(t, s, stream, "stream deleted", wantStreamDeleted)
}

// wantReadFails reads stream forwards and backwards and checks each error
// with check; want names the expected failure.
func wantReadFails(t testing.TB, s eventstore.Store, stream, want string, check func(testing.TB, error, string)) {
	t.Helper()
	for _, dir := range []eventstore.Direction{eventstore.Forwards, eventstore.Backwards} {
		recs, err := s.ReadStream(t.Context(), stream, eventstore.ReadStreamOptions{Direction: dir})
		if err == nil {
			t.Fatalf("ReadStream(%q, %v): got %d events and no error, want %s", stream, dir, len(recs), want)
		}
		check(t, err, stream)
	}
}

// checkRecorded compares a recorded event with the event as proposed.
func checkRecorded(t testing.TB, got eventstore.RecordedEvent, want eventstore.EventData, stream string, revision uint64) {
	t.Helper()
	if got.Stream != stream {
		t.Errorf("event %v: Stream: got %q, want %q", want.ID, got.Stream, stream)
	}
	if got.Revision != revision {
		t.Errorf("event %v: Revision: got %d, want %d", want.ID, got.Revision, revision)
	}
	if got.ID != want.ID {
		t.Errorf("event at revision %d: ID: got %v, want %v", revision, got.ID, want.ID)
	}
	if got.Type != want.Type {
		t.Errorf("event %v: Type: got %q, want %q", want.ID, got.Type, want.Type)
	}
	wantCT := want.ContentType
	if wantCT == "" {
		wantCT = eventstore.ContentTypeJSON
	}
	if got.ContentType != wantCT {
		t.Errorf("event %v: ContentType: got %q, want %q", want.ID, got.ContentType, wantCT)
	}
	if !bytes.Equal(got.Data, want.Data) {
		t.Errorf("event %v: Data: got %q, want %q", want.ID, got.Data, want.Data)
	}
	if !bytes.Equal(got.Metadata, want.Metadata) {
		t.Errorf("event %v: Metadata: got %q, want %q", want.ID, got.Metadata, want.Metadata)
	}
	if got.Created.IsZero() {
		t.Errorf("event %v: Created is zero", want.ID)
	}
	if got.Created.Location() != time.UTC {
		t.Errorf("event %v: Created location: got %v, want UTC", want.ID, got.Created.Location())
	}
}

// checkAllOrder checks that positions strictly increase and creation times
// never decrease along a forwards read of $all.
func checkAllOrder(t testing.TB, recs []eventstore.RecordedEvent) {
	t.Helper()
	for i := 1; i < len(recs); i++ {
		if recs[i-1].Position.Compare(recs[i].Position) >= 0 {
			t.Errorf("$all[%d] at %v is not after $all[%d] at %v", i, recs[i].Position, i-1, recs[i-1].Position)
		}
		if recs[i].Created.Before(recs[i-1].Created) {
			t.Errorf("$all[%d] created %v before $all[%d] created %v", i, recs[i].Created, i-1, recs[i-1].Created)
		}
	}
}

// nextMessage waits for the next subscription message, failing the test
// when none comes within waitLimit (a hung subscription).
func nextMessage(t testing.TB, sub eventstore.Subscription) eventstore.SubscriptionMessage {
	t.Helper()
	msg, err := nextMessageErr(t, sub)
	if err != nil {
		t.Fatalf("Subscription.Next: %v", err)
	}
	return msg
}

// nextMessageErrQuiet is Next bounded by waitLimit; a timeout is returned
// as an error for the caller to describe.
func nextMessageErrQuiet(t testing.TB, sub eventstore.Subscription) (eventstore.SubscriptionMessage, error) {
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	return sub.Next(ctx)
}

func nextMessageErr(t testing.TB, sub eventstore.Subscription) (eventstore.SubscriptionMessage, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	msg, err := sub.Next(ctx)
	if err != nil && ctx.Err() != nil && t.Context().Err() == nil {
		t.Fatalf("Subscription.Next: no message within %v (hung subscription): %v", waitLimit, err)
	}
	return msg, err
}

// collectEvents reads messages until n events arrived, skipping CaughtUp
// and checkpoints.
func collectEvents(t testing.TB, sub eventstore.Subscription, n int) []eventstore.RecordedEvent {
	t.Helper()
	var got []eventstore.RecordedEvent
	for len(got) < n {
		msg, err := nextMessageErrQuiet(t, sub)
		if err != nil {
			t.Fatalf("subscription delivered %d of %d events, then: %v (lost events or a hung subscription); got %s", len(got), n, err, describe(got))
		}
		checkOneField(t, msg)
		if msg.Event != nil {
			got = append(got, *msg.Event)
		}
	}
	return got
}

// collectUntilCaughtUp reads events until the CaughtUp marker.
func collectUntilCaughtUp(t testing.TB, sub eventstore.Subscription) []eventstore.RecordedEvent {
	t.Helper()
	var got []eventstore.RecordedEvent
	for {
		msg := nextMessage(t, sub)
		checkOneField(t, msg)
		switch {
		case msg.CaughtUp:
			return got
		case msg.Event != nil:
			got = append(got, *msg.Event)
		}
	}
}

// checkOneField checks that exactly one field of msg is set.
func checkOneField(t testing.TB, msg eventstore.SubscriptionMessage) {
	t.Helper()
	n := 0
	if msg.Event != nil {
		n++
	}
	if msg.CaughtUp {
		n++
	}
	if msg.Checkpoint != nil {
		n++
	}
	if n != 1 {
		t.Fatalf("subscription message %+v has %d fields set, want exactly 1", msg, n)
	}
}

func closeSub(t testing.TB, sub eventstore.Subscription) {
	t.Cleanup(func() { _ = sub.Close() })
}

// namePrefix returns a prefix unique to this run, for filter tests.
func namePrefix(base string) string {
	return strings.ReplaceAll(uniqueStream(base), "-", "_") + "-"
}

func isInvalid(err error) bool { return errors.Is(err, eventstore.ErrInvalidArgument) }
