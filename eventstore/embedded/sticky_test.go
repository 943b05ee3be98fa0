package embedded

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"
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

// TestFailedFsyncIsNeverAcknowledged: when fdatasync fails the append
// fails, its events never become visible, and the store refuses every
// later append.
func TestFailedFsyncIsNeverAcknowledged(t *testing.T) {
	s, err := Open(t.TempDir(), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	ev := func() eventstore.EventData { return eventstore.EventData{ID: uuid.New(), Type: "t"} }
	if _, err := s.Append(ctx, "a", eventstore.Any{}, ev()); err != nil {
		t.Fatal(err)
	}
	syncData = func(*os.File) error { return syscall.EIO }
	defer func() { syncData = fdatasync }()
	if _, err := s.Append(ctx, "a", eventstore.Any{}, ev()); !errors.Is(err, ErrWriteFailed) {
		t.Fatalf("append whose fsync fails: got %v, want ErrWriteFailed", err)
	}
	syncData = fdatasync
	if _, err := s.Append(ctx, "b", eventstore.Any{}, ev()); !errors.Is(err, ErrWriteFailed) {
		t.Fatalf("append after a failed fsync: got %v, want ErrWriteFailed", err)
	}
	recs, err := s.ReadStream(ctx, "a", eventstore.ReadStreamOptions{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("stream a after the failed fsync: %d events, %v; want only the acknowledged one", len(recs), err)
	}
	all, err := s.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err != nil || len(all) != 1 {
		t.Fatalf("$all after the failed fsync: %d events, %v; want 1", len(all), err)
	}
}
