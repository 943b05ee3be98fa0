package eventstore_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

func TestExpectedRevisionString(t *testing.T) {
	cases := []struct {
		exp  eventstore.ExpectedRevision
		want string
	}{
		{eventstore.Any{}, "any"},
		{eventstore.NoStream{}, "no-stream"},
		{eventstore.StreamExists{}, "stream-exists"},
		{eventstore.Exact(0), "0"},
		{eventstore.Exact(17), "17"},
	}
	for _, tc := range cases {
		if got := tc.exp.String(); got != tc.want {
			t.Errorf("%#v.String(): got %q, want %q", tc.exp, got, tc.want)
		}
	}
}

func TestCurrentRevisionString(t *testing.T) {
	if got := (eventstore.CurrentRevision{NoStream: true}).String(); got != "no-stream" {
		t.Errorf("no stream: got %q, want %q", got, "no-stream")
	}
	if got := (eventstore.CurrentRevision{Revision: 9}).String(); got != "9" {
		t.Errorf("revision 9: got %q, want %q", got, "9")
	}
}

func TestTypedErrorsMatchTheirSentinels(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		sentinel error
		text     string
	}{
		{"WrongExpectedRevision", &eventstore.WrongExpectedRevisionError{Stream: "s", Expected: eventstore.Exact(1), Actual: eventstore.CurrentRevision{Revision: 3}}, eventstore.ErrWrongExpectedRev, `stream "s": expected 1, actual 3`},
		{"StreamDeleted", &eventstore.StreamDeletedError{Stream: "s"}, eventstore.ErrStreamDeleted, `stream "s" is deleted`},
		{"StreamNotFound", &eventstore.StreamNotFoundError{Stream: "s"}, eventstore.ErrStreamNotFound, `stream "s" not found`},
	}
	others := []error{eventstore.ErrWrongExpectedRev, eventstore.ErrStreamDeleted, eventstore.ErrStreamNotFound, eventstore.ErrInvalidArgument}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wrapped := fmt.Errorf("append to s: %w", tc.err)
			if !errors.Is(wrapped, tc.sentinel) {
				t.Errorf("errors.Is(wrapped, %v): got false, want true", tc.sentinel)
			}
			for _, o := range others {
				if o != tc.sentinel && errors.Is(wrapped, o) {
					t.Errorf("errors.Is(wrapped, %v): got true, want false", o)
				}
			}
			if !strings.Contains(tc.err.Error(), tc.text) {
				t.Errorf("Error(): got %q, want it to contain %q", tc.err.Error(), tc.text)
			}
		})
	}
}

func TestValidateStreamName(t *testing.T) {
	cases := []struct {
		name    string
		stream  string
		invalid bool
	}{
		{"EmptyIsInvalid", "", true},
		{"OneByteIsValid", "a", false},
		{"SystemStreamIsValid", "$all-like", false},
		{"MetadataStreamIsValid", "$$petition-1", false},
		{"LongestIsValid", strings.Repeat("x", eventstore.MaxStreamNameLen), false},
		{"TooLongIsInvalid", strings.Repeat("x", eventstore.MaxStreamNameLen+1), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := eventstore.ValidateStreamName(tc.stream)
			if got := errors.Is(err, eventstore.ErrInvalidArgument); got != tc.invalid {
				t.Errorf("ValidateStreamName(%d bytes): got %v, want invalid=%v", len(tc.stream), err, tc.invalid)
			}
		})
	}
}

func TestSystemAndMetadataStreamNames(t *testing.T) {
	if got := eventstore.MetadataStreamName("petition-1"); got != "$$petition-1" {
		t.Errorf("MetadataStreamName: got %q, want %q", got, "$$petition-1")
	}
	cases := []struct {
		stream string
		want   bool
	}{{"", false}, {"petition", false}, {"$all", true}, {"$$petition", true}, {"a$", false}}
	for _, tc := range cases {
		if got := eventstore.IsSystemStream(tc.stream); got != tc.want {
			t.Errorf("IsSystemStream(%q): got %v, want %v", tc.stream, got, tc.want)
		}
	}
}

func TestExcludeSystemEventsMatchesEventStoreDB(t *testing.T) {
	f := eventstore.ExcludeSystemEvents
	if f.On != eventstore.FilterEventType || f.Regex != `^[^\$].*` || len(f.Prefixes) != 0 {
		t.Errorf("ExcludeSystemEvents: got %+v, want the event-type regex ^[^\\$].*", *f)
	}
}

func TestDirectionString(t *testing.T) {
	if eventstore.Forwards.String() != "forwards" || eventstore.Backwards.String() != "backwards" {
		t.Errorf("Direction.String: got %q and %q", eventstore.Forwards, eventstore.Backwards)
	}
}
