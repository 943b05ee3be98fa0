package esdbserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/petitionledger/petitionledger/eventstore"
)

func TestEventSizeCountsUTF16Units(t *testing.T) {
	tests := []struct {
		typ        string
		data, meta int
		want       int
	}{
		{"", 0, 0, 0},
		{"T", 10, 5, 17},
		{"PetitionSigned", 0, 0, 28},
		{"é", 0, 0, 2},    // one UTF-16 unit, two UTF-8 bytes
		{"😀", 0, 0, 4},    // two UTF-16 units (a surrogate pair)
		{"a😀b", 1, 1, 10}, // 4 units
	}
	for _, tc := range tests {
		if got := eventSize(tc.typ, make([]byte, tc.data), make([]byte, tc.meta)); got != tc.want {
			t.Errorf("eventSize(%q, %d, %d): got %d, want %d", tc.typ, tc.data, tc.meta, got, tc.want)
		}
	}
}

func TestDotnetTicks(t *testing.T) {
	tests := []struct {
		t    time.Time
		want int64
	}{
		{time.Unix(0, 0), 0},
		{time.Unix(1, 0), 10_000_000},
		{time.Unix(1_700_000_000, 123_456_789), 17_000_000_001_234_567},
	}
	for _, tc := range tests {
		if got := dotnetTicks(tc.t); got != tc.want {
			t.Errorf("dotnetTicks(%v): got %d, want %d", tc.t, got, tc.want)
		}
		// The Go client's conversion (createdFromProto) gives the time back
		// to 100 ns.
		if back := time.Unix(0, dotnetTicks(tc.t)*100); !back.Equal(tc.t.Truncate(100)) {
			t.Errorf("round trip of %v: got %v", tc.t, back)
		}
	}
}

func TestParseUUID(t *testing.T) {
	id := uuid.MustParse("38fffbc2-339e-11ea-8c7b-784f43837872")
	structured := structuredUUID(id)
	tests := []struct {
		name    string
		in      *shared.UUID
		want    uuid.UUID
		wantErr bool
	}{
		{"Structured", structured, id, false},
		{"String", &shared.UUID{Value: &shared.UUID_String_{String_: id.String()}}, id, false},
		{"StringUpperCase", &shared.UUID{Value: &shared.UUID_String_{String_: "38FFFBC2-339E-11EA-8C7B-784F43837872"}}, id, false},
		{"BadString", &shared.UUID{Value: &shared.UUID_String_{String_: "38fffbc2"}}, uuid.Nil, true},
		{"Missing", nil, uuid.Nil, true},
		{"Empty", &shared.UUID{}, uuid.Nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseUUID(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseUUID: got %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
	// The structured form is the Go client's: most significant bits
	// first, big-endian.
	if s := structured.GetStructured(); uint64(s.MostSignificantBits) != 0x38fffbc2339e11ea || uint64(s.LeastSignificantBits) != 0x8c7b784f43837872 {
		t.Errorf("structured: got %x %x", uint64(s.MostSignificantBits), uint64(s.LeastSignificantBits))
	}
}

func TestCheckVersion(t *testing.T) {
	for _, v := range []string{"24.10.0", "0.0.0", "22.6.1"} {
		if err := checkVersion(v); err != nil {
			t.Errorf("checkVersion(%q): %v", v, err)
		}
	}
	for _, v := range []string{"", "24", "24.10", "24.10.0-rc1", "24.10.0.1", "a.b.c", "-1.0.0", "24..0"} {
		if err := checkVersion(v); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("checkVersion(%q): got %v, want ErrInvalidOptions", v, err)
		}
	}
}

func TestStoreErrorMapping(t *testing.T) {
	s := New(nil, Options{Logger: slog.New(slog.DiscardHandler), MaxAppendSize: 99})
	tests := []struct {
		name      string
		err       error
		code      codes.Code
		message   string
		exception string
	}{
		{"Deleted", fmt.Errorf("x: %w", &eventstore.StreamDeletedError{Stream: "s"}), codes.FailedPrecondition, "Event stream 's' is deleted.", "stream-deleted"},
		{"DeletedSentinel", eventstore.ErrStreamDeleted, codes.FailedPrecondition, "Event stream 's' is deleted.", "stream-deleted"},
		{"NotFound", &eventstore.StreamNotFoundError{Stream: "s"}, codes.NotFound, "Event stream 's' is not found.", "stream-not-found"},
		{"WrongExpected", &eventstore.WrongExpectedRevisionError{Stream: "s", Expected: eventstore.StreamExists{}, Actual: eventstore.CurrentRevision{NoStream: true}},
			codes.FailedPrecondition, "Delete failed due to WrongExpectedVersion. Stream: s, Expected version: -4, Actual version: -1", "wrong-expected-version"},
		{"TooLarge", eventstore.ErrAppendTooLarge, codes.InvalidArgument, "Maximum Append Size of 99 Exceeded.", "maximum-append-size-exceeded"},
		{"Invalid", eventstore.ErrInvalidArgument, codes.InvalidArgument, "eventstore: invalid argument", ""},
		{"AccessDenied", eventstore.ErrAccessDenied, codes.PermissionDenied, "Access Denied", "access-denied"},
		{"Closed", eventstore.ErrClosed, codes.Unavailable, "Server Is Not Ready", ""},
		{"Unavailable", eventstore.ErrUnavailable, codes.Unavailable, "Store unavailable: eventstore: unavailable", ""},
		{"Cancelled", context.Canceled, codes.Canceled, "context canceled", ""},
		{"Deadline", context.DeadlineExceeded, codes.DeadlineExceeded, "context deadline exceeded", ""},
		{"Corrupt", eventstore.ErrCorrupt, codes.DataLoss, "eventstore: corrupt data", ""},
		{"Other", errors.New("boom"), codes.Unknown, "boom", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.storeError(context.Background(), "op", "s", tc.err)
			st := status.Convert(err)
			if st.Code() != tc.code || st.Message() != tc.message {
				t.Errorf("got %v %q, want %v %q", st.Code(), st.Message(), tc.code, tc.message)
			}
			var re *rpcError
			gotException := ""
			if errors.As(err, &re) {
				if v := re.trailers.Get("exception"); len(v) == 1 {
					gotException = v[0]
				}
			}
			if gotException != tc.exception {
				t.Errorf("exception trailer: got %q, want %q", gotException, tc.exception)
			}
		})
	}
}

func TestCheckpointInterval(t *testing.T) {
	filter := func(mult uint32, max uint32) *streams.ReadReq_Options_FilterOptions {
		f := &streams.ReadReq_Options_FilterOptions{CheckpointIntervalMultiplier: mult,
			Window: &streams.ReadReq_Options_FilterOptions_Count{Count: &shared.Empty{}}}
		if max > 0 {
			f.Window = &streams.ReadReq_Options_FilterOptions_Max{Max: max}
		}
		return f
	}
	tests := []struct {
		name    string
		in      *streams.ReadReq_Options_FilterOptions
		want    uint32
		wantErr bool
	}{
		{"NoFilter", nil, 0, false},
		{"CountWindowIs32", filter(1, 0), 32, false},
		{"Multiplied", filter(5, 10), 50, false},
		{"Saturates", filter(1<<31, 1<<31), ^uint32(0), false},
		{"ZeroMultiplier", filter(0, 10), 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkpointInterval(tc.in)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("got %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
