package embedded

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// TestHashCollisions makes every stream name hash to the same value: the
// index must still tell streams apart by the name on disk, through
// appends, expectations, reads, a snapshot and a full rescan.
func TestHashCollisions(t *testing.T) {
	hashRemap = func(uint64) uint64 { return 0x5eed }
	defer func() { hashRemap = nil }()
	dir := t.TempDir()
	quiet := WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	s, err := Open(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := map[string][]uuid.UUID{}
	for i := range 60 {
		stream := fmt.Sprintf("s-%d", i%12)
		e := eventstore.EventData{ID: uuid.New(), Type: "t"}
		exp := eventstore.ExpectedRevision(eventstore.NoStream{})
		if n := len(want[stream]); n > 0 {
			exp = eventstore.Exact(uint64(n - 1))
		}
		if _, err := s.Append(ctx, stream, exp, e); err != nil {
			t.Fatalf("append %d to %s: %v", i, stream, err)
		}
		want[stream] = append(want[stream], e.ID)
	}
	check := func(s *Store, when string) {
		for stream, ids := range want {
			recs, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
			if err != nil {
				t.Fatalf("%s: read %s: %v", when, stream, err)
			}
			if len(recs) != len(ids) {
				t.Fatalf("%s: %s has %d events, want %d", when, stream, len(recs), len(ids))
			}
			for i, r := range recs {
				if r.ID != ids[i] || r.Stream != stream {
					t.Fatalf("%s: %s@%d is %s %v, want %v", when, stream, i, r.Stream, r.ID, ids[i])
				}
			}
		}
		if _, err := s.ReadStream(ctx, "s-missing", eventstore.ReadStreamOptions{}); err == nil {
			t.Fatalf("%s: a missing stream that collides with every other one was found", when)
		}
	}
	check(s, "live")
	s.Close()
	s, err = Open(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	check(s, "from snapshot")
	s.Close()
	os.Remove(filepath.Join(dir, snapshotFileName))
	s, err = Open(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check(s, "after full rescan")
}
