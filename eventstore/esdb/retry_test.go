package esdb

import (
	"context"
	"errors"
	"testing"
	"time"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"

	"github.com/petitionledger/petitionledger/eventstore"
)

func TestRetryPolicyDelay(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 5, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	lowest := func(int64) int64 { return 0 }
	highest := func(n int64) int64 { return n - 1 }
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{0, 50 * time.Millisecond, 100 * time.Millisecond},
		{1, 100 * time.Millisecond, 200 * time.Millisecond},
		{2, 200 * time.Millisecond, 400 * time.Millisecond},
		{3, 400 * time.Millisecond, 800 * time.Millisecond},
		{4, 500 * time.Millisecond, time.Second},
		{60, 500 * time.Millisecond, time.Second},
	}
	for _, tt := range tests {
		if got := p.Delay(tt.attempt, lowest); got != tt.min {
			t.Errorf("Delay(%d, lowest) = %v, want %v", tt.attempt, got, tt.min)
		}
		if got := p.Delay(tt.attempt, highest); got != tt.max {
			t.Errorf("Delay(%d, highest) = %v, want %v", tt.attempt, got, tt.max)
		}
		for i := 0; i < 100; i++ {
			if got := p.Delay(tt.attempt, nil); got < tt.min || got > tt.max {
				t.Fatalf("Delay(%d) = %v, want within [%v, %v]", tt.attempt, got, tt.min, tt.max)
			}
		}
	}
}

func TestRetryPolicyDefaults(t *testing.T) {
	got := RetryPolicy{}.withDefaults()
	if got != DefaultRetryPolicy {
		t.Errorf("got %+v, want %+v", got, DefaultRetryPolicy)
	}
	got = RetryPolicy{BaseDelay: time.Second, MaxDelay: time.Millisecond}.withDefaults()
	if got.MaxDelay != time.Second {
		t.Errorf("MaxDelay below BaseDelay: got %v, want it raised to %v", got.MaxDelay, time.Second)
	}
}

func TestSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// failThenSucceed answers the first n calls with err, then succeeds.
func failThenSucceed(n int, err func(f *fakeServer) *fakeErr, f *fakeServer) func(int, *api.AppendReq_Options) (*api.AppendResp, *fakeErr) {
	return func(call int, _ *api.AppendReq_Options) (*api.AppendResp, *fakeErr) {
		if call < n {
			return nil, err(f)
		}
		return appendOK(uint64(call), 100+uint64(call)), nil
	}
}

// TestAppendRetry pins which failures an append retries: those that
// certainly wrote nothing always, those after which the outcome is unknown
// only with NoStream or Exact.
func TestAppendRetry(t *testing.T) {
	notLeader := func(f *fakeServer) *fakeErr {
		host, port := f.hostPort()
		return &fakeErr{codes.NotFound, "Leader info available",
			[]string{"exception", "not-leader", "leader-endpoint-host", host, "leader-endpoint-port", port}}
	}
	notReady := func(*fakeServer) *fakeErr { return &fakeErr{codes.Unavailable, "Server Is Not Ready", nil} }
	lostAck := func(*fakeServer) *fakeErr { return &fakeErr{codes.Unavailable, "connection reset by peer", nil} }
	timedOut := func(*fakeServer) *fakeErr { return &fakeErr{codes.Aborted, "Operation timed out: commit", nil} }
	tests := []struct {
		name        string
		expected    eventstore.ExpectedRevision
		fail        func(*fakeServer) *fakeErr
		failures    int
		wantCalls   int
		wantOK      bool
		wantUnknown bool
	}{
		{"NotLeader/Any", eventstore.Any{}, notLeader, 2, 3, true, false},
		{"NotReady/StreamExists", eventstore.StreamExists{}, notReady, 2, 3, true, false},
		{"LostAck/Exact", eventstore.Exact(4), lostAck, 2, 3, true, false},
		{"LostAck/NoStream", eventstore.NoStream{}, lostAck, 1, 2, true, false},
		{"Timeout/Exact", eventstore.Exact(0), timedOut, 3, 4, true, false},
		{"LostAck/Any/NotRetried", eventstore.Any{}, lostAck, 1, 1, false, true},
		{"LostAck/StreamExists/NotRetried", eventstore.StreamExists{}, lostAck, 1, 1, false, true},
		{"Timeout/Any/NotRetried", eventstore.Any{}, timedOut, 1, 1, false, true},
		{"Exhausted/Exact", eventstore.Exact(1), lostAck, 100, testPolicy.MaxAttempts, false, false},
		{"Exhausted/NotLeader", eventstore.Any{}, notLeader, 100, testPolicy.MaxAttempts, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeServer{}
			f.appendReply = failThenSucceed(tt.failures, tt.fail, f)
			s := openFake(t, f, testPolicy)
			res, err := s.Append(context.Background(), "s", tt.expected, oneEvent())
			if got := f.count("append"); got != tt.wantCalls {
				t.Errorf("got %d append calls, want %d", got, tt.wantCalls)
			}
			if tt.wantOK {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				want := eventstore.AppendResult{NextRevision: uint64(tt.failures), Position: eventstore.Position{Commit: 100 + uint64(tt.failures), Prepare: 100 + uint64(tt.failures)}}
				if res != want {
					t.Errorf("got %+v, want %+v", res, want)
				}
				return
			}
			if !errors.Is(err, eventstore.ErrUnavailable) {
				t.Errorf("got %v, want ErrUnavailable", err)
			}
			if got := errors.Is(err, ErrAppendOutcomeUnknown); got != tt.wantUnknown {
				t.Errorf("errors.Is(%v, ErrAppendOutcomeUnknown) = %v, want %v", err, got, tt.wantUnknown)
			}
		})
	}
}

// TestAppendRetryStopsWithContext checks a retry loop gives up when the
// caller's context ends, with the context's error.
func TestAppendRetryStopsWithContext(t *testing.T) {
	f := &fakeServer{}
	f.appendReply = func(int, *api.AppendReq_Options) (*api.AppendResp, *fakeErr) {
		return nil, &fakeErr{codes.Unavailable, "Server Is Too Busy", nil}
	}
	s := openFake(t, f, RetryPolicy{MaxAttempts: 1000, BaseDelay: time.Hour, MaxDelay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for f.count("append") == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := s.Append(ctx, "s", eventstore.Any{}, oneEvent())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// TestReadRetry checks reads are retried after any transient failure, and
// that a retry does not keep events of the failed attempt.
func TestReadRetry(t *testing.T) {
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	f := &fakeServer{readReply: func(call int, _ *api.ReadReq) ([]*api.ReadResp, *fakeErr) {
		events := []*api.ReadResp{recordedEvent("s", 0, 10, "A", now), recordedEvent("s", 1, 20, "B", now)}
		if call < 2 {
			return events[:1], &fakeErr{codes.Unavailable, "transport is closing", nil}
		}
		return events, nil
	}}
	s := openFake(t, f, testPolicy)
	got, err := s.ReadStream(context.Background(), "s", eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Revision != 0 || got[1].Revision != 1 {
		t.Fatalf("got %+v, want revisions 0 and 1", got)
	}
	if !got[1].Created.Equal(now) || got[1].Created.Location() != time.UTC {
		t.Errorf("got Created %v, want %v in UTC", got[1].Created, now)
	}
	if got[1].Position != (eventstore.Position{Commit: 20, Prepare: 20}) {
		t.Errorf("got position %v, want 20", got[1].Position)
	}
	if n := f.count("read"); n != 3 {
		t.Errorf("got %d reads, want 3", n)
	}
}

// TestDeleteRetry checks deletes retry a lost acknowledgement.
func TestDeleteRetry(t *testing.T) {
	f := &fakeServer{deleteReply: func(call int) (*api.DeleteResp, *fakeErr) {
		if call == 0 {
			return nil, &fakeErr{codes.Unavailable, "connection reset", nil}
		}
		return &api.DeleteResp{PositionOption: &api.DeleteResp_Position_{Position: &api.DeleteResp_Position{CommitPosition: 7, PreparePosition: 6}}}, nil
	}}
	s := openFake(t, f, testPolicy)
	got, err := s.Delete(context.Background(), "s", eventstore.Exact(3))
	if err != nil {
		t.Fatal(err)
	}
	if want := (eventstore.DeleteResult{Position: eventstore.Position{Commit: 7, Prepare: 6}}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
