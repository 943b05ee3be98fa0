package embedded

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// TestReopenPreservesRandomHistories runs random appends, metadata
// writes, soft deletes and tombstones, with a hash that collides a lot,
// and closes and reopens the store at random points (keeping the
// snapshot, dropping it, or "crashing" by reopening a copy of the files
// without Close). After every reopen every stream reads exactly as before
// and $all is identical.
func TestReopenPreservesRandomHistories(t *testing.T) {
	nameHash = func(s string) uint64 { return hashName(s) & 0x7 }
	defer func() { nameHash = hashName }()
	for seed := range uint64(4) {
		t.Run(fmt.Sprintf("Seed%d", seed), func(t *testing.T) {
			runRandomHistory(t, seed)
		})
	}
}

func runRandomHistory(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	dir := t.TempDir()
	quiet := WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	opts := []Option{quiet, WithSegmentSize(2048), WithSnapshotEvery(4096)}
	s, err := Open(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if s != nil {
			s.Close()
		}
	}()
	ctx := context.Background()
	streams := []string{"a", "b", "c", "d", "e", "$$a", "$$b"}
	for op := range 300 {
		stream := streams[rng.IntN(len(streams))]
		switch k := rng.IntN(20); {
		case k < 13:
			n := rng.IntN(3)
			evs := make([]eventstore.EventData, n)
			for i := range evs {
				evs[i] = eventstore.EventData{ID: uuid.New(), Type: "t", Data: []byte(fmt.Sprintf(`{"op":%d}`, op))}
			}
			if stream[0] == '$' {
				for i := range evs {
					evs[i].Type = eventstore.MetadataEventType
					evs[i].Data = []byte(fmt.Sprintf(`{"$maxCount":%d}`, 1+rng.IntN(5)))
				}
			}
			s.Append(ctx, stream, eventstore.Any{}, evs...)
		case k < 15:
			s.Delete(ctx, stream, eventstore.Any{})
		case k < 16:
			s.Tombstone(ctx, stream, eventstore.Any{})
		default:
			before := describeStore(t, s, streams)
			switch rng.IntN(3) {
			case 0: // clean close, snapshot kept
				s.Close()
			case 1: // clean close, snapshot lost
				s.Close()
				os.Remove(filepath.Join(dir, snapshotFileName))
			case 2: // crash: reopen a copy of the files as they are now
				crash := t.TempDir()
				copyDir(t, dir, crash)
				s.Close()
				dir = crash
			}
			if s, err = Open(dir, opts...); err != nil {
				t.Fatalf("op %d: reopen: %v", op, err)
			}
			if after := describeStore(t, s, streams); after != before {
				t.Fatalf("op %d: store differs after reopen:\nbefore:\n%s\nafter:\n%s", op, before, after)
			}
		}
	}
}

// describeStore renders every stream read and the whole $all.
func describeStore(t *testing.T, s *Store, streams []string) string {
	t.Helper()
	ctx := context.Background()
	out := ""
	for _, st := range streams {
		recs, err := s.ReadStream(ctx, st, eventstore.ReadStreamOptions{})
		switch {
		case errors.Is(err, eventstore.ErrStreamNotFound):
			out += st + ": not found\n"
		case errors.Is(err, eventstore.ErrStreamDeleted):
			out += st + ": deleted\n"
		case err != nil:
			t.Fatalf("read %s: %v", st, err)
		default:
			out += st + ":"
			for _, r := range recs {
				out += fmt.Sprintf(" %d@%d/%s", r.Revision, r.Position.Commit, r.ID.String()[:8])
			}
			out += "\n"
		}
	}
	all, err := s.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatalf("read $all: %v", err)
	}
	for _, r := range all {
		out += fmt.Sprintf("%s %d@%d %s %s\n", r.Stream, r.Revision, r.Position.Commit, r.ID, r.Data)
	}
	return out
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() == lockFileName {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
