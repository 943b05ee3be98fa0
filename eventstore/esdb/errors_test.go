package esdb

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"

	"github.com/petitionledger/petitionledger/eventstore"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func oneEvent() eventstore.EventData {
	return eventstore.EventData{ID: uuid.New(), Type: "Signed", Data: []byte(`{}`)}
}

// appendWEV is the server's wrong_expected_version answer.
func appendWEV(currentNoStream bool, current uint64) *api.AppendResp {
	w := &api.AppendResp_WrongExpectedVersion{ExpectedRevisionOption: &api.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}}
	if currentNoStream {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
	} else {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: current}
	}
	return &api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}}
}

// TestErrorMapping drives the real client against a fake server answering
// each failure the way EventStoreDB does (RpcExceptions.cs), and checks the
// eventstore error the Store returns.
func TestErrorMapping(t *testing.T) {
	streamDeleted := &fakeErr{codes.FailedPrecondition, "Event stream 's' is deleted.", []string{"exception", "stream-deleted", "stream-name", "s"}}
	tests := []struct {
		name      string
		op        string // append, read, delete, tombstone
		expected  eventstore.ExpectedRevision
		appendRes *api.AppendResp
		readRes   []*api.ReadResp
		err       *fakeErr
		wantIs    []error
		wantWEV   *eventstore.CurrentRevision
	}{
		{name: "WrongExpectedRevision/Revision", op: "append", expected: eventstore.Exact(3), appendRes: appendWEV(false, 5),
			wantIs: []error{eventstore.ErrWrongExpectedRev}, wantWEV: &eventstore.CurrentRevision{Revision: 5}},
		{name: "WrongExpectedRevision/NoStream", op: "append", expected: eventstore.StreamExists{}, appendRes: appendWEV(true, 0),
			wantIs: []error{eventstore.ErrWrongExpectedRev}, wantWEV: &eventstore.CurrentRevision{NoStream: true}},
		{name: "WrongExpectedRevision/Huge", op: "append", expected: eventstore.Exact(1), appendRes: appendWEV(false, 1<<63+7),
			wantIs: []error{eventstore.ErrWrongExpectedRev}, wantWEV: &eventstore.CurrentRevision{Revision: 1<<63 + 7}},
		{name: "StreamDeleted/Append", op: "append", err: streamDeleted, wantIs: []error{eventstore.ErrStreamDeleted}},
		{name: "AccessDenied", op: "append", err: &fakeErr{codes.PermissionDenied, "Access Denied", []string{"exception", "access-denied"}},
			wantIs: []error{eventstore.ErrAccessDenied}},
		{name: "Unauthenticated", op: "append", err: &fakeErr{codes.Unauthenticated, "Bad credentials", nil},
			wantIs: []error{eventstore.ErrAccessDenied}},
		{name: "AppendTooLarge", op: "append", err: &fakeErr{codes.InvalidArgument, "Maximum Append Size of 1048576 Exceeded.",
			[]string{"exception", "maximum-append-size-exceeded", "maximum-append-size", "1048576"}},
			wantIs: []error{eventstore.ErrAppendTooLarge}},
		{name: "AppendEventTooLarge", op: "append", err: &fakeErr{codes.InvalidArgument, "Event with Id: x, Size: 9, exceeds Maximum Append Event Size of 8.", nil},
			wantIs: []error{eventstore.ErrAppendTooLarge}},
		{name: "InvalidArgument", op: "append", err: &fakeErr{codes.InvalidArgument, "Required Metadata Property 'type' is missing",
			[]string{"exception", "missing-required-metadata-property"}},
			wantIs: []error{eventstore.ErrInvalidArgument}},
		{name: "Unavailable/NotReady", op: "append", err: &fakeErr{codes.Unavailable, "Server Is Not Ready", nil},
			wantIs: []error{eventstore.ErrUnavailable}},
		{name: "Unavailable/NotLeader", op: "append", err: &fakeErr{codes.NotFound, "Leader info available",
			[]string{"exception", "not-leader", "leader-endpoint-host", "127.0.0.1", "leader-endpoint-port", "1"}},
			wantIs: []error{eventstore.ErrUnavailable}},
		{name: "Unavailable/Timeout", op: "append", expected: eventstore.Any{}, err: &fakeErr{codes.Aborted, "Operation timed out: x", nil},
			wantIs: []error{eventstore.ErrUnavailable, ErrAppendOutcomeUnknown}},
		{name: "Corrupt", op: "append", err: &fakeErr{codes.DataLoss, "chunk", nil}, wantIs: []error{eventstore.ErrCorrupt}},
		{name: "StreamNotFound", op: "read", readRes: []*api.ReadResp{{Content: &api.ReadResp_StreamNotFound_{
			StreamNotFound: &api.ReadResp_StreamNotFound{StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte("s")}}}}},
			wantIs: []error{eventstore.ErrStreamNotFound}},
		{name: "StreamDeleted/Read", op: "read", err: streamDeleted, wantIs: []error{eventstore.ErrStreamDeleted}},
		{name: "Unimplemented", op: "read", err: &fakeErr{codes.Unimplemented, "no", nil}, wantIs: []error{eventstore.ErrInvalidArgument}},
		{name: "ResourceExhausted/Read", op: "read", err: &fakeErr{codes.ResourceExhausted, "big", nil}, wantIs: []error{eventstore.ErrUnavailable}},
		{name: "WrongExpectedRevision/Delete", op: "delete", expected: eventstore.Exact(3), err: &fakeErr{codes.FailedPrecondition,
			"Delete failed due to WrongExpectedVersion. Stream: s, Expected version: 3, Actual version: 7",
			[]string{"exception", "wrong-expected-version", "stream-name", "s", "expected-version", "3", "actual-version", "7"}},
			wantIs: []error{eventstore.ErrWrongExpectedRev}, wantWEV: &eventstore.CurrentRevision{Revision: 7}},
		{name: "WrongExpectedRevision/TombstoneNoStream", op: "tombstone", expected: eventstore.StreamExists{}, err: &fakeErr{codes.FailedPrecondition,
			"Tombstone failed due to WrongExpectedVersion. Stream: s, Expected version: -4, Actual version: -1", nil},
			wantIs: []error{eventstore.ErrWrongExpectedRev}, wantWEV: &eventstore.CurrentRevision{NoStream: true}},
		{name: "StreamDeleted/Tombstone", op: "tombstone", err: streamDeleted, wantIs: []error{eventstore.ErrStreamDeleted}},
		{name: "AccessDenied/Delete", op: "delete", err: &fakeErr{codes.PermissionDenied, "Access Denied", nil},
			wantIs: []error{eventstore.ErrAccessDenied}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeServer{
				appendReply: func(int, *api.AppendReq_Options) (*api.AppendResp, *fakeErr) { return tt.appendRes, tt.err },
				readReply:   func(int, *api.ReadReq) ([]*api.ReadResp, *fakeErr) { return tt.readRes, tt.err },
				deleteReply: func(int) (*api.DeleteResp, *fakeErr) { return nil, tt.err },
				tombstoneReply: func(int) (*api.TombstoneResp, *fakeErr) {
					return nil, tt.err
				},
			}
			s := openFake(t, f, RetryPolicy{MaxAttempts: 1})
			expected := tt.expected
			if expected == nil {
				expected = eventstore.Any{}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var err error
			switch tt.op {
			case "append":
				_, err = s.Append(ctx, "s", expected, oneEvent())
			case "read":
				_, err = s.ReadStream(ctx, "s", eventstore.ReadStreamOptions{})
			case "delete":
				_, err = s.Delete(ctx, "s", expected)
			case "tombstone":
				_, err = s.Tombstone(ctx, "s", expected)
			}
			if err == nil {
				t.Fatal("got nil error")
			}
			for _, want := range tt.wantIs {
				if !errors.Is(err, want) {
					t.Errorf("got %v, want errors.Is %v", err, want)
				}
			}
			if tt.wantWEV != nil {
				var wev *eventstore.WrongExpectedRevisionError
				if !errors.As(err, &wev) {
					t.Fatalf("got %v, want *WrongExpectedRevisionError", err)
				}
				want := eventstore.WrongExpectedRevisionError{Stream: "s", Expected: expected, Actual: *tt.wantWEV}
				if *wev != want {
					t.Errorf("got %+v, want %+v", *wev, want)
				}
			}
			if tt.op == "append" && tt.err != nil && tt.err.code != codes.NotFound {
				if got := f.count("append"); got != 1 {
					t.Errorf("got %d append calls, want 1 (MaxAttempts 1)", got)
				}
			}
		})
	}
}

// TestErrorMappingTypedStreams checks that the typed errors name the stream.
func TestErrorMappingTypedStreams(t *testing.T) {
	f := &fakeServer{readReply: func(int, *api.ReadReq) ([]*api.ReadResp, *fakeErr) {
		return nil, &fakeErr{codes.FailedPrecondition, "Event stream 'petition-1' is deleted.", []string{"exception", "stream-deleted", "stream-name", "petition-1"}}
	}}
	s := openFake(t, f, RetryPolicy{MaxAttempts: 1})
	_, err := s.ReadStream(context.Background(), "petition-1", eventstore.ReadStreamOptions{})
	var sd *eventstore.StreamDeletedError
	if !errors.As(err, &sd) {
		t.Fatalf("got %v, want *StreamDeletedError", err)
	}
	if got, want := sd.Stream, "petition-1"; got != want {
		t.Errorf("got stream %q, want %q", got, want)
	}
}

func TestParseAppendWrongExpected(t *testing.T) {
	tests := []struct {
		msg    string
		want   eventstore.CurrentRevision
		wantOK bool
	}{
		{"wrong expected version: expecting 'any' but got 'no_stream'", eventstore.CurrentRevision{NoStream: true}, true},
		{"wrong expected version: expecting '3' but got '5'", eventstore.CurrentRevision{Revision: 5}, true},
		{"wrong expected version: expecting '3' but got '-9223372036854775801'", eventstore.CurrentRevision{Revision: 1<<63 + 7}, true},
		{"[ErrorCodeWrongExpectedVersion] x: wrong expected version: expecting 'no_stream' but got '0'", eventstore.CurrentRevision{Revision: 0}, true},
		{"wrong expected version: expecting '3' but got 'x'", eventstore.CurrentRevision{}, false},
		{"something else", eventstore.CurrentRevision{}, false},
	}
	for _, tt := range tests {
		got, ok := parseAppendWrongExpected(tt.msg)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseAppendWrongExpected(%q) = %v, %v; want %v, %v", tt.msg, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestParseDeleteWrongExpected(t *testing.T) {
	tests := []struct {
		msg    string
		want   eventstore.CurrentRevision
		wantOK bool
	}{
		{"Delete failed due to WrongExpectedVersion. Stream: s, Expected version: 3, Actual version: 7", eventstore.CurrentRevision{Revision: 7}, true},
		{"Delete failed due to WrongExpectedVersion. Stream: a, b, Expected version: -2, Actual version: -1", eventstore.CurrentRevision{NoStream: true}, true},
		{"Tombstone failed due to WrongExpectedVersion. Stream: s, Expected version: 1, Actual version: ", eventstore.CurrentRevision{NoStream: true}, true},
		{"Delete failed due to WrongExpectedVersion. Stream: s, Expected version: 1, Actual version: -5", eventstore.CurrentRevision{}, false},
		{"Actual version: 99999999999999999999", eventstore.CurrentRevision{}, false},
		{"nothing", eventstore.CurrentRevision{}, false},
	}
	for _, tt := range tests {
		got, ok := parseDeleteWrongExpected(tt.msg)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseDeleteWrongExpected(%q) = %v, %v; want %v, %v", tt.msg, got, ok, tt.want, tt.wantOK)
		}
	}
}

// FuzzParseWrongExpected checks the message parsers never panic and only
// succeed on messages that carry an actual revision.
func FuzzParseWrongExpected(f *testing.F) {
	for _, seed := range []string{
		"wrong expected version: expecting 'any' but got 'no_stream'",
		"wrong expected version: expecting '3' but got '5'",
		"Delete failed due to WrongExpectedVersion. Stream: s, Expected version: 3, Actual version: 7",
		"Actual version: ", "expecting '' but got ''", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		if got, ok := parseAppendWrongExpected(msg); !ok && got != (eventstore.CurrentRevision{}) {
			t.Errorf("append parser failed but returned %v", got)
		}
		if got, ok := parseDeleteWrongExpected(msg); !ok && got != (eventstore.CurrentRevision{}) {
			t.Errorf("delete parser failed but returned %v", got)
		}
	})
}
