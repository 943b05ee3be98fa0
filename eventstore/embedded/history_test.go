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
	"strconv"
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
	hashRemap = func(h uint64) uint64 { return h & 0x7 }
	defer func() { hashRemap = nil }()
	seeds := uint64(4)
	if n, err := strconv.ParseUint(os.Getenv("EMBEDDED_HISTORIES"), 10, 64); err == nil {
		seeds = n // soak: EMBEDDED_HISTORIES=200 go test -run RandomHistories
	}
	for seed := range seeds {
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
	type doneAppend struct {
		stream string
		exp    eventstore.ExpectedRevision
		evs    []eventstore.EventData
		res    eventstore.AppendResult
	}
	var done []doneAppend
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
			var exp eventstore.ExpectedRevision = eventstore.Any{}
			switch rng.IntN(4) {
			case 1:
				exp = eventstore.NoStream{}
			case 2:
				exp = eventstore.Exact(uint64(rng.IntN(6)))
			case 3:
				exp = eventstore.StreamExists{}
			}
			res, err := s.Append(ctx, stream, exp, evs...)
			// Retries are idempotent when the events went right after the
			// expected revision (not when NoStream recreated a soft-deleted
			// stream further on: EventStoreDB compares from revision 0).
			after := int64(-1)
			if e, ok := exp.(eventstore.Exact); ok {
				after = int64(e)
			}
			if err == nil && n > 0 && exp != (eventstore.Any{}) && exp != (eventstore.StreamExists{}) && int64(res.NextRevision) == after+int64(n) {
				done = append(done, doneAppend{stream, exp, evs, res})
			}
		case k < 14 && len(done) > 0: // idempotent retry of an earlier append
			d := done[rng.IntN(len(done))]
			res, err := s.Append(ctx, d.stream, d.exp, d.evs...)
			if err == nil && res != d.res {
				t.Fatalf("op %d: retry of an append to %s: got %+v, want the original %+v", op, d.stream, res, d.res)
			}
			if err != nil && !errors.Is(err, eventstore.ErrStreamDeleted) {
				t.Fatalf("op %d: retry of an append to %s: %v", op, d.stream, err)
			}
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
