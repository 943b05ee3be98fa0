package embedded

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// FuzzReadSnapshot: the snapshot decoder never panics or allocates beyond
// the file's size on arbitrary bytes, and a snapshot it accepts has a
// power-of-two table.
func FuzzReadSnapshot(f *testing.F) {
	dir := f.TempDir()
	quiet := WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	s, err := Open(dir, quiet)
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	for i := range 3 {
		evs := []eventstore.EventData{{ID: uuid.New(), Type: "t"}, {ID: uuid.New(), Type: "t"}}
		if _, err := s.Append(ctx, []string{"a", "b", "c"}[i], eventstore.Any{}, evs...); err != nil {
			f.Fatal(err)
		}
	}
	s.Close()
	snap, err := os.ReadFile(filepath.Join(dir, snapshotFileName))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(snap)
	f.Add(snap[:70])
	f.Add([]byte(snapshotMagic))
	reader := &Store{dir: dir, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := reader.openSegments(); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { reader.closeFiles() })
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), snapshotFileName)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		idx, _, err := reader.readSnapshot(path)
		if err != nil {
			return
		}
		if n := len(idx.slots); n == 0 || n&(n-1) != 0 || idx.used > n {
			t.Fatalf("accepted a table of %d slots with %d used", n, idx.used)
		}
	})
}
