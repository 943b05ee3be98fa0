package esdb

import (
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestClassifyBareStatus pins how bare gRPC statuses (as a subscription's
// drop error carries them, or wrapped by our own fmt.Errorf) are sorted.
func TestClassifyBareStatus(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want failure
	}{
		{"NotReady", status.Error(codes.Unavailable, "Server Is Not Ready"), failNotApplied},
		{"TooBusy", status.Error(codes.Unavailable, "Server Is Too Busy"), failNotApplied},
		{"DialFailed", status.Error(codes.Unavailable, `connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:1: connect: connection refused"`), failNotApplied},
		{"ConnectionLost", status.Error(codes.Unavailable, "error reading from server: EOF"), failAmbiguous},
		{"NotLeader", status.Error(codes.NotFound, "Leader info available"), failNotApplied},
		{"Timeout", status.Error(codes.Aborted, "Operation timed out: x"), failAmbiguous},
		{"Deadline", status.Error(codes.DeadlineExceeded, "context deadline exceeded"), failAmbiguous},
		{"Internal", status.Error(codes.Internal, "stream terminated by RST_STREAM"), failAmbiguous},
		{"NotAStatus", errors.New("failed to initiate subscription"), failAmbiguous},
		{"Deleted", status.Error(codes.FailedPrecondition, "Event stream 's' is deleted."), failPermanent},
		{"NotFound", status.Error(codes.NotFound, "Event stream 's' is not found."), failPermanent},
		{"Invalid", status.Error(codes.InvalidArgument, "bad"), failPermanent},
		{"Wrapped", fmt.Errorf("esdb: x: %w", status.Error(codes.Unavailable, "Server Is Not Ready")), failNotApplied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.err); got != tt.want {
				t.Errorf("classify(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
