package embedded_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// TestSnapshotValidation damages the index snapshot in several ways: each
// one is rejected (logged) and the full rescan still gives the right
// streams. A stale but intact snapshot is used and the tail replayed.
func TestSnapshotValidation(t *testing.T) {
	cases := []struct {
		name       string
		damage     func(t *testing.T, dir, snap string)
		wantReject bool
	}{
		{"Intact", func(*testing.T, string, string) {}, false},
		{"Truncated", func(t *testing.T, _, snap string) { truncateBy(t, snap, 9) }, true},
		{"BitFlipInSlots", func(t *testing.T, _, snap string) { flipBit(t, snap, 64+24*3+5) }, true},
		{"BitFlipInChecksum", func(t *testing.T, _, snap string) { flipBit(t, snap, fileSize(t, snap)-2) }, true},
		{"BadMagic", func(t *testing.T, _, snap string) { writeAt(t, snap, 0, []byte("XXXXXXXX")) }, true},
		{"FutureVersion", func(t *testing.T, _, snap string) { writeAt(t, snap, 8, []byte{9}) }, true},
		{"Empty", func(t *testing.T, _, snap string) { os.WriteFile(snap, nil, 0o644) }, true},
		{"FromAnotherLog", func(t *testing.T, _, snap string) {
			other := t.TempDir()
			s := openDir(t, other)
			fill(t, s, "other", 7)
			s.Close()
			b, _ := os.ReadFile(filepath.Join(other, "index.snap"))
			os.WriteFile(snap, b, 0o644)
		}, true},
		{"StaleButIntact", func(t *testing.T, dir, snap string) {
			old, _ := os.ReadFile(snap)
			s := openDir(t, dir)
			fill(t, s, "late", 5)
			s.Close()
			os.WriteFile(snap, old, 0o644) // the tail after it must be replayed
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openDir(t, dir, embedded.WithSegmentSize(4096))
			a := fill(t, s, "a", 30)
			b := fill(t, s, "b", 1)
			if _, err := s.Tombstone(context.Background(), "c", eventstore.Any{}); err != nil {
				t.Fatal(err)
			}
			s.Close()
			snap := filepath.Join(dir, "index.snap")
			if _, err := os.Stat(snap); err != nil {
				t.Fatalf("Close wrote no snapshot: %v", err)
			}
			tc.damage(t, dir, snap)
			logs := &logBuffer{}
			s, err := embedded.Open(dir, embedded.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			rejected := strings.Contains(logs.String(), "snapshot rejected")
			if rejected != tc.wantReject {
				t.Errorf("snapshot rejected: got %v, want %v; log:\n%s", rejected, tc.wantReject, logs.String())
			}
			if got := streamIDs(t, s, "a"); !equalUUIDs(got, a) {
				t.Errorf("stream a: got %d events, want %d", len(got), len(a))
			}
			if got := streamIDs(t, s, "b"); !equalUUIDs(got, b) {
				t.Errorf("stream b: got %d events, want %d", len(got), len(b))
			}
			if _, err := s.ReadStream(context.Background(), "c", eventstore.ReadStreamOptions{}); err == nil || !strings.Contains(err.Error(), "deleted") {
				t.Errorf("tombstoned c: got %v, want deleted", err)
			}
			if tc.name == "StaleButIntact" {
				if got := len(streamIDs(t, s, "late")); got != 5 {
					t.Errorf("stream written after the snapshot: got %d events, want 5", got)
				}
			}
		})
	}
}

func truncateBy(t *testing.T, path string, n int64) {
	t.Helper()
	if err := os.Truncate(path, fileSize(t, path)-n); err != nil {
		t.Fatal(err)
	}
}
