package embedded

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// TestWriteErrorIsSticky: once a write fails, every later append fails
// too, even if the disk would accept it again; the failure is reported as unavailability.
func TestWriteErrorIsSticky(t *testing.T) {
	s, err := Open(t.TempDir(), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ev := func() eventstore.EventData { return eventstore.EventData{ID: uuid.New(), Type: "t"} }
	if _, err := s.Append(ctx, "a", eventstore.Any{}, ev()); err != nil {
		t.Fatal(err)
	}
	// Make the next write fail: the writer's file is closed under it.
	s.w.active.f.Close()
	for i := range 3 {
		_, err := s.Append(ctx, fmt.Sprintf("new-%d", i), eventstore.Any{}, ev())
		if !errors.Is(err, ErrWriteFailed) || !errors.Is(err, eventstore.ErrUnavailable) {
			t.Fatalf("append %d after a failed write: got %v, want ErrWriteFailed", i, err)
		}
	}
	s.Close()
}
