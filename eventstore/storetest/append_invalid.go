package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// testAppendInvalid: bad input gets ErrInvalidArgument and nothing is
// written, not even the valid events of the same append. The cases run one
// after the other on one store so that $all can be compared.
func testAppendInvalid(t *testing.T, newStore Factory) {
	s := newStore(t)
	valid := func() eventstore.EventData { return newEvent("valid") }
	withType := func(typ string) eventstore.EventData { e := valid(); e.Type = typ; return e }
	withID := func(id uuid.UUID) eventstore.EventData { e := valid(); e.ID = id; return e }
	withCT := func(ct string) eventstore.EventData { e := valid(); e.ContentType = ct; return e }
	cases := []struct {
		name   string
		stream string
		events []eventstore.EventData
	}{
		{"EmptyTypeIsInvalid", uniqueStream("invalid"), []eventstore.EventData{withType("")}},
		{"NilIDIsInvalid", uniqueStream("invalid"), []eventstore.EventData{withID(uuid.Nil)}},
		{"UnknownContentTypeIsInvalid", uniqueStream("invalid"), []eventstore.EventData{withCT("text/plain")}},
		{"EmptyStreamNameIsInvalid", "", []eventstore.EventData{valid()}},
		{"OverlongStreamNameIsInvalid", strings.Repeat("s", eventstore.MaxStreamNameLen+1), []eventstore.EventData{valid()}},
		{"OneBadEventAmongGoodOnesWritesNone", uniqueStream("invalid"), []eventstore.EventData{valid(), withType(""), valid()}},
		{"LastBadEventWritesNone", uniqueStream("invalid"), []eventstore.EventData{valid(), valid(), withID(uuid.Nil)}},
	}
	// An existing stream, so that the invalid appends also hit a stream
	// with events: nothing may be added to it either.
	existing := uniqueStream("invalid-existing")
	seedStream(t, s, existing, 2)
	for _, tc := range cases {
		for _, target := range []string{"Missing", "Existing"} {
			stream := tc.stream
			if target == "Existing" {
				if stream == "" || len(stream) > eventstore.MaxStreamNameLen {
					continue
				}
				stream = existing
			}
			t.Run(tc.name+"On"+target+"Stream", func(t *testing.T) {
				before := readWholeAll(t, s)
				_, err := s.Append(t.Context(), stream, eventstore.Any{}, tc.events...)
				if !errors.Is(err, eventstore.ErrInvalidArgument) {
					t.Fatalf("Append: got error %v, want one matching ErrInvalidArgument", err)
				}
				after := readWholeAll(t, s)
				if len(after) != len(before) {
					t.Errorf("$all length: got %d after a rejected append, want %d", len(after), len(before))
				}
				if stream == existing {
					if got := readWholeStream(t, s, existing); len(got) != 2 {
						t.Errorf("existing stream: got %d events, want 2", len(got))
					}
				} else if stream != "" && len(stream) <= eventstore.MaxStreamNameLen {
					wantReadNotFound(t, s, stream)
				}
			})
		}
	}
	t.Run("EmptyContentTypeMeansJSON", func(t *testing.T) {
		stream := uniqueStream("ct")
		e := newEvent("ct")
		e.ContentType = ""
		b := newEvent("ct-binary")
		b.ContentType = eventstore.ContentTypeBinary
		b.Data = []byte{0, 1, 2, 0xff}
		mustAppend(t, s, stream, eventstore.NoStream{}, e, b)
		got := readWholeStream(t, s, stream)
		if len(got) != 2 {
			t.Fatalf("got %d events, want 2", len(got))
		}
		checkRecorded(t, got[0], e, stream, 0)
		checkRecorded(t, got[1], b, stream, 1)
	})
}
